package gradcam3d.window;

import gradcam3d.cam.Target;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.Optional;

/**
 * The whole-volume target on the window grid: a window's restriction of it, weighted by the
 * window's share w_t / N of the blended prediction, and whether its region reaches a window.
 */
final class WindowTargets {
  private WindowTargets() {}

  /**
   * Target {@code fixed} (its region fixed, {@link Target#onPrediction}) restricted to window t
   * by the target's own {@link Target#restrict}, weighted by the window's share; empty when the
   * window misses its region.
   */
  static Optional<Target> inWindow(Target fixed, WindowGrid grid, BlendWeights weights, int t) {
    return fixed.restrict(grid.start(t), grid.window(), share(grid, weights, t));
  }

  static WindowBox box(WindowGrid grid, int t) {
    return WindowInference.box(grid, t);
  }

  static boolean touches(WindowBox box, float[] region) {
    return touches(box, v -> region[v] > 0);
  }

  /** Whether a voxel of the box (volume offsets) is inside. */
  static boolean touches(WindowBox box, java.util.function.IntPredicate inside) {
    boolean[] hit = {false};
    box.forEachRun((wo, vo, len, row) -> {
      for (int j = 0; j < len && !hit[0]; j++) {
        hit[0] = inside.test(vo + j);
      }
    });
    return hit[0];
  }

  /** w_t / N over window t, the window's share of the blended prediction (zero in the padding). */
  static FloatTensor share(WindowGrid grid, BlendWeights weights, int t) {
    long[] window = grid.window();
    int r = window.length;
    long[] start = grid.start(t);
    float[] out = new float[(int) Shapes.numel(window)];
    box(grid, t).forEachRun((wo, vo, len, row) -> {
      double lead = 1;
      for (int a = 0; a < r - 1; a++) {
        lead *= weights.share(a, start[a], row[a]);
      }
      for (int j = 0; j < len; j++) {
        out[wo + j] = (float) (lead * weights.share(r - 1, start[r - 1], row[r - 1] + j));
      }
    });
    return new FloatTensor(out, window);
  }
}
