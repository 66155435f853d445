package gradcam3d.pipeline;

import gradcam3d.cam.Explanation;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.GridMapping;
import gradcam3d.window.WindowedExplanation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Results computed on the model's grid, moved back onto the scan's own grid through the case's
 * {@link GridMapping}: the maps on the input grid, the target region, an input-space
 * attribution, and the sliding windows' segmentation and prediction. Maps at layer resolution,
 * activations and gradients stay as they are (they belong to the model).
 */
final class ScanGrid {
  private ScanGrid() {}

  static Explanation toScan(Explanation e, GridMapping g) {
    if (g == null || g.isIdentity()) {
      return e;
    }
    long[] modelSpatial = g.model().spatialShape();
    List<Explanation.LayerMap> layers = new ArrayList<>();
    for (Explanation.LayerMap l : e.layers()) {
      layers.add(new Explanation.LayerMap(l.layer(), l.shape(), l.camLayer(), onScan(l.cam(), g, modelSpatial),
          l.activation(), l.gradient(), l.channelWeights(), l.weightsIllConditioned()));
    }
    Explanation.Attribution a = null;
    if (e.attribution() != null) {
      // the method's further arrays (occlusion's sensitivity) move with the attribution
      Map<String, FloatTensor> arrays = new LinkedHashMap<>();
      e.attribution().arrays().forEach((name, t) -> arrays.put(name, onScan(t, g, modelSpatial)));
      a = new Explanation.Attribution(onScan(e.attribution().values(), g, modelSpatial),
          e.attribution().completenessGap(), arrays, e.attribution().cost());
    }
    Explanation.Extras extras = null;
    if (e.extras() != null) {
      // a method's own maps (dff's concepts, [B, K, *S]) move as the maps do
      Map<String, FloatTensor> maps = new LinkedHashMap<>();
      e.extras().maps().forEach((name, t) -> maps.put(name, onScan(t, g, modelSpatial)));
      extras = new Explanation.Extras(maps, e.extras().summary());
    }
    return new Explanation(layers, onScan(e.cam(), g, modelSpatial), e.targetValues(), e.regionVoxels(),
        e.predictedVoxels(), onScan(e.region(), g, modelSpatial, GridMapping.Kind.LABELS), e.targets(),
        e.outputShape(), e.compileStats(), e.runMs(), e.postMs(), a, extras);
  }

  static WindowedExplanation toScan(WindowedExplanation w, Explanation onScan, GridMapping g) {
    if (g == null || g.isIdentity()) {
      return w;
    }
    long[] modelSpatial = g.model().spatialShape();
    FloatTensor prediction = onScan(w.prediction(), g, modelSpatial);
    // with resampling the segmentation is the argmax of the prediction brought back (nnU-Net's
    // rule); moved exactly, the segmentation moves as it is
    FloatTensor segmentation = prediction != null && !g.exact() ? argmax(prediction)
        : onScan(w.segmentation(), g, modelSpatial, GridMapping.Kind.LABELS);
    return new WindowedExplanation(onScan, segmentation, prediction, w.grid(), w.windowsRun(), w.windowsSkipped(),
        w.timings(), w.pass2From(), w.requestedWindow());
  }

  /** [1, K, *S] to its class index per voxel, [1, *S] (first maximum). */
  static FloatTensor argmax(FloatTensor prediction) {
    long[] shape = prediction.shape();
    int classes = (int) shape[1];
    int voxels = prediction.size() / classes;
    float[] p = prediction.data();
    float[] out = new float[voxels];
    for (int v = 0; v < voxels; v++) {
      int best = 0;
      for (int k = 1; k < classes; k++) {
        if (p[k * voxels + v] > p[best * voxels + v]) {
          best = k;
        }
      }
      out[v] = best;
    }
    return new FloatTensor(out, gradcam3d.tensor.Shapes.concat(new long[] {1}, Arrays.copyOfRange(shape, 2, shape.length)));
  }

  /** A map whose trailing axes are the model grid's, moved; others (another grid, or null) as they are. */
  private static FloatTensor onScan(FloatTensor t, GridMapping g, long[] modelSpatial) {
    return onScan(t, g, modelSpatial, GridMapping.Kind.VALUES);
  }

  private static FloatTensor onScan(FloatTensor t, GridMapping g, long[] modelSpatial, GridMapping.Kind kind) {
    if (t == null || t.rank() < modelSpatial.length) {
      return t;
    }
    long[] trailing = Arrays.copyOfRange(t.shape(), t.rank() - modelSpatial.length, t.rank());
    return Arrays.equals(trailing, modelSpatial) ? g.toScan(t, kind) : t;
  }
}
