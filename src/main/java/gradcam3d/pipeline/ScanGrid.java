package gradcam3d.pipeline;

import gradcam3d.cam.Explanation;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Labels;
import gradcam3d.tensor.Shapes;
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
    // one layer's map is also the aggregate (the same array): brought back once
    java.util.Map<FloatTensor, FloatTensor> moved = new java.util.IdentityHashMap<>();
    List<Explanation.LayerMap> layers = new ArrayList<>();
    for (Explanation.LayerMap l : e.layers()) {
      FloatTensor cam = l.cam() == null ? null : moved.computeIfAbsent(l.cam(), t -> onScan(t, g, modelSpatial));
      layers.add(new Explanation.LayerMap(l.layer(), l.shape(), l.camLayer(), cam,
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
    FloatTensor cam = e.cam() == null ? null : moved.computeIfAbsent(e.cam(), t -> onScan(t, g, modelSpatial));
    return new Explanation(layers, cam, e.targetValues(), e.regionVoxels(),
        e.predictedVoxels(), onScan(e.region(), g, modelSpatial, GridMapping.Kind.LABELS), e.targets(),
        e.outputShape(), e.compileStats(), e.runMs(), e.postMs(), a, extras);
  }

  /**
   * The sliding windows' outputs on the scan's grid; the prediction is kept only when
   * {@code keepPrediction} (it may have been kept for the segmentation alone).
   */
  static WindowedExplanation toScan(WindowedExplanation w, Explanation onScan, GridMapping g,
      boolean keepPrediction) {
    if (g == null || g.isIdentity()) {
      return keepPrediction || w.prediction() == null ? w : new WindowedExplanation(w.explanation(), w.segmentation(),
          null, w.grid(), w.windowsRun(), w.windowsSkipped(), w.timings(), w.pass2From());
    }
    long[] modelSpatial = g.model().spatialShape();
    FloatTensor prediction = null;
    Labels segmentation;
    if (w.prediction() != null && !g.exact()) {
      // with resampling the segmentation is the argmax of the prediction brought back (nnU-Net's rule)
      if (keepPrediction) {
        prediction = onScan(w.prediction(), g, modelSpatial);
        segmentation = Labels.of(argmax(prediction));
      } else {
        segmentation = Labels.of(argmaxOnScan(w.prediction(), g, modelSpatial));
      }
    } else {
      // moved exactly, the segmentation moves as it is
      prediction = keepPrediction ? onScan(w.prediction(), g, modelSpatial) : null;
      segmentation = Labels.of(onScan(w.segmentation().toFloatTensor(), g, modelSpatial, GridMapping.Kind.LABELS));
    }
    return new WindowedExplanation(onScan, segmentation, prediction, w.grid(), w.windowsRun(), w.windowsSkipped(),
        w.timings(), w.pass2From(), w.requestedWindow());
  }

  /**
   * argmax over classes of the prediction [1, K, *S] brought back class by class (the same floats
   * as {@link #argmax} of the whole prediction brought back, holding one class on the scan's grid at
   * a time instead of K): [1, *S'].
   */
  static FloatTensor argmaxOnScan(FloatTensor prediction, GridMapping g, long[] modelSpatial) {
    long[] shape = prediction.shape();
    int classes = (int) shape[1];
    int voxels = prediction.size() / classes;
    float[] best = null;
    float[] label = null;
    for (int k = 0; k < classes; k++) {
      float[] one = java.util.Arrays.copyOfRange(prediction.data(), k * voxels, (k + 1) * voxels);
      float[] back = g.toScan(new FloatTensor(one, modelSpatial), GridMapping.Kind.VALUES).data();
      if (best == null) {
        best = back;
        continue;
      }
      if (classes == 2) {
        // two classes: the label goes into the first class's array, two scan-sized arrays at most
        for (int v = 0; v < back.length; v++) {
          best[v] = back[v] > best[v] ? 1f : 0f;
        }
        label = best;
        continue;
      }
      if (label == null) {
        label = new float[back.length];
      }
      for (int v = 0; v < back.length; v++) {
        if (back[v] > best[v]) {
          best[v] = back[v];
          label[v] = k;
        }
      }
    }
    if (label == null) {
      label = new float[best.length]; // one class: all 0
    }
    return new FloatTensor(label, Shapes.concat(new long[] {1}, g.scan().spatialShape()));
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
