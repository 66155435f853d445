package gradcam3d.window;

/**
 * The blend weights of a grid. Because the windows are every combination of per-axis starts, the
 * weight sum N(v) = sum_t w_t(v) factorises into a product over axes of N_a(v_a) = sum over the
 * axis starts s of w_a(v_a - s): nothing of the volume's size is stored, and w_t(v) / N(v) is a
 * product of per-axis ratios too.
 */
final class BlendWeights {
  private final double[][] axis;
  private final double[][] norm;
  /** The volume coordinate of norm[a][0]: the first window's start when it lies before the volume. */
  private final long[] origin;
  private final float[] window;

  BlendWeights(WindowGrid grid, Blend blend) {
    int r = grid.window().length;
    long[] padded = grid.padded();
    axis = new double[r][];
    norm = new double[r][];
    origin = new long[r];
    for (int a = 0; a < r; a++) {
      int n = (int) grid.window()[a];
      axis[a] = blend.axisWeights(n);
      origin[a] = Math.min(0, grid.axisStarts().get(a)[0]);
      norm[a] = new double[(int) (padded[a] - origin[a])];
      for (long s : grid.axisStarts().get(a)) {
        for (int i = 0; i < n; i++) {
          norm[a][(int) (s - origin[a]) + i] += axis[a][i];
        }
      }
    }
    int size = 1;
    for (double[] w : axis) {
      size *= w.length;
    }
    window = new float[size];
    for (int i = 0; i < size; i++) {
      double w = 1;
      int rest = i;
      for (int a = r - 1; a >= 0; a--) {
        w *= axis[a][rest % axis[a].length];
        rest /= axis[a].length;
      }
      window[i] = (float) w;
    }
  }

  /** w(i) over the window grid, flat. */
  float[] window() {
    return window;
  }

  /** w_a(i) / N_a(start + i): the share of position i of a window starting at start, along axis a. */
  double share(int a, long start, long i) {
    return axis[a][(int) i] / norm[a][(int) (start + i - origin[a])];
  }

  /** N_a(v) along axis a. */
  double norm(int a, long v) {
    return norm[a][(int) (v - origin[a])];
  }
}
