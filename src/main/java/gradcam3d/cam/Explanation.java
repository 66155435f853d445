package gradcam3d.cam;

import gradcam3d.graph.LayerResolver.Layer;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.tensor.FloatTensor;
import java.util.List;

/**
 * The result of one explained batch: per layer the map at layer resolution (before ReLU) and the
 * final map on the input grid, their aggregate, and what the target was: its value and region
 * size per sample, the voxels predicted per class, and (segmentation) the region itself [B, *So].
 */
public record Explanation(List<LayerMap> layers, FloatTensor cam, FloatTensor targetValues,
    long[] regionVoxels, FloatTensor predictedVoxels, FloatTensor region, List<Target> targets, long[] outputShape,
    GradientEngine.CompileStats compileStats, double runMs, double postMs) {

  /**
   * One layer: cam_layer [B, *Sl], cam [B, *S]; activation and gradient when kept; channel
   * weights [B][C] of the perturbation methods.
   */
  public record LayerMap(Layer layer, long[] shape, FloatTensor camLayer, FloatTensor cam,
      FloatTensor activation, FloatTensor gradient, float[][] channelWeights) {}

  /** For each sample, the class whose score was explained. */
  public int explainedClass(int sample) {
    Target t = targets.get(sample);
    if (t.kind() != Target.Kind.ARGMAX) {
      return t.classIndex();
    }
    int classes = (int) outputShape[1];
    float[] p = predictedVoxels.data();
    for (int k = 0; k < classes; k++) {
      if (p[sample * classes + k] > 0) {
        return k;
      }
    }
    return -1;
  }
}
