package gradcam3d.cam;

import gradcam3d.Setting;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Labels;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;
import java.util.Optional;

/** Class k summed over the voxels the model predicts as k (argmax over classes); a classifier's class k. */
public record PredictedClassTarget(int classIndex) implements Target {
  @Override
  public String spec() {
    return Integer.toString(classIndex);
  }

  @Override
  public String describe() {
    return "class " + classIndex + " where the model predicts it";
  }

  @Override
  public void check(long[] outputShape) {
    Target.checkClassRegion(this, outputShape);
  }

  @Override
  public void writeSeed(float[] weights, float[] gate, int b, long[] outputShape) {
    int classes = (int) outputShape[1];
    int voxels = Target.voxels(outputShape);
    int base = (b * classes + classIndex) * voxels;
    Arrays.fill(weights, base, base + voxels, 1f);
    gate[b * classes + classIndex] = 1f;
  }

  @Override
  public String emptyRegion(String where, String predicted) {
    return "class " + classIndex + " is absent" + where + ": the model predicts no voxel of it (predicted classes: "
        + predicted + "). Try " + Setting.TARGET.label() + " " + classIndex
        + ":all to explain its score over the whole volume, a mask "
        + "or box target, or a predicted class.";
  }

  @Override
  public float[] region(Labels segmentation, long[] spatial) {
    float[] region = new float[(int) Shapes.numel(spatial)];
    for (int v = 0; v < region.length; v++) {
      region[v] = segmentation.get(v) == classIndex ? 1f : 0f;
    }
    return region;
  }

  @Override
  public boolean regionFromPrediction() {
    return true;
  }

  @Override
  public Target onPrediction(FloatTensor region) {
    return new MaskTarget(classIndex, "(whole-volume region)", region);
  }

  @Override
  public Optional<Target> restrictTo(long[] start, long[] size) {
    return Optional.of(this); // the window's own prediction decides, as it would for the whole volume
  }
}
