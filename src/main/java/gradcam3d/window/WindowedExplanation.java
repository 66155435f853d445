package gradcam3d.window;

import gradcam3d.cam.Explanation;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Labels;

/**
 * A whole-volume explanation computed through sliding windows: the explanation on the volume's
 * grid (cam per layer and aggregate; cam_layer, activation and gradient are per window and not
 * kept), the segmentation it explains (argmax of the blended prediction, [1, *S], one class index per voxel), the blended
 * prediction itself when asked for ([1, K, *S]), the window grid, what ran and where pass 2
 * started ({@code pass2From}: "layer", or "input (why not the layer)"), and the window asked for
 * when it was larger than the scan and a dynamic model took the scan's size instead
 * ({@code requestedWindow}; null when the grid's window is the one asked for).
 */
public record WindowedExplanation(Explanation explanation, Labels segmentation, FloatTensor prediction,
    WindowGrid grid, int windowsRun, int windowsSkipped, Timings timings, String pass2From, long[] requestedWindow) {

  /** A run whose window is the one asked for (not clamped to the scan). */
  public WindowedExplanation(Explanation explanation, Labels segmentation, FloatTensor prediction,
      WindowGrid grid, int windowsRun, int windowsSkipped, Timings timings, String pass2From) {
    this(explanation, segmentation, prediction, grid, windowsRun, windowsSkipped, timings, pass2From, null);
  }

  /**
   * The class whose predicted voxels are the target's region when the explanation leaves the
   * region out (a predicted class's region is the segmentation's voxels of the class: one float
   * volume less to hold), else -1 (the explanation's region).
   */
  public int regionClass() {
    return explanation.region() == null && segmentation != null && explanation.targets().size() == 1
        ? explanation.targets().get(0).classIndex() : -1;
  }

  /** The target's region [1, *S], 1 inside: the explanation's, or made from the segmentation ({@link #regionClass}). */
  public FloatTensor region() {
    int cls = regionClass();
    if (cls < 0) {
      return explanation.region();
    }
    float[] r = new float[segmentation.size()];
    for (int v = 0; v < r.length; v++) {
      r[v] = segmentation.get(v) == cls ? 1f : 0f;
    }
    return new FloatTensor(r, segmentation.shape());
  }

  /**
   * Milliseconds per phase: forward of every window and blending, forward + backward + CAM of the
   * windows the target reaches, resizing and summing their maps, the final normalisation. With
   * pass 2 from the layer the two passes interleave: predict is the time until every window is
   * blended (windows explained meanwhile included), explain the rest.
   */
  public record Timings(double predictMs, double explainMs, double stitchMs, double finishMs) {}
}
