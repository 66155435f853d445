package gradcam3d.cam;

import gradcam3d.OptionValueException;
import gradcam3d.Setting;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Where occlusion windows go, as MONAI 1.3.2's OcclusionSensitivity places them (through its
 * sliding_window_inference over the voxel grid): per axis the step is int(m * (1 - overlap)) (at
 * least 1; the whole axis when the window spans it), windows start at 0, step, 2 step, ... up to
 * the first one that reaches the end, and that last one is shifted back to end at the border; the
 * windows are every combination of the per-axis starts, the first axis slowest.
 */
public record OcclusionGrid(long[] volume, long[] size, double overlap, List<long[]> axisStarts) {

  /** The grid of windows {@code size} over {@code volume}; a window larger than the volume is an option error. */
  public static OcclusionGrid of(long[] volume, long[] size, double overlap) {
    checkOverlap(overlap);
    checkFits(volume, size);
    List<long[]> starts = new ArrayList<>();
    for (int a = 0; a < volume.length; a++) {
      starts.add(starts(volume[a], size[a], overlap));
    }
    return new OcclusionGrid(volume.clone(), size.clone(), overlap, List.copyOf(starts));
  }

  /** Fails (exit 2) unless 0 <= overlap < 1. */
  public static void checkOverlap(double overlap) {
    if (!(overlap >= 0 && overlap < 1)) {
      throw new OptionValueException(Setting.OCCLUSION_OVERLAP, Setting.OCCLUSION_OVERLAP.label()
          + " must be in [0, 1), not " + overlap);
    }
  }

  /** Fails (exit 2) when the window does not fit the volume along some axis. */
  public static void checkFits(long[] volume, long[] size) {
    if (size.length != volume.length) {
      throw new OptionValueException(Setting.OCCLUSION_SIZE, Setting.OCCLUSION_SIZE.label() + " "
          + Shapes.format(size) + " has " + size.length
          + " sizes but the input has " + volume.length + " spatial axes " + Shapes.format(volume));
    }
    for (int a = 0; a < volume.length; a++) {
      if (size[a] < 1 || size[a] > volume[a]) {
        throw new OptionValueException(Setting.OCCLUSION_SIZE, Setting.OCCLUSION_SIZE.label() + " " + join(size)
            + " does not fit the input "
            + join(volume) + " (axis " + a + ": " + size[a] + " > " + volume[a] + ")");
      }
    }
  }

  /** MONAI's scan interval along an axis of {@code length} voxels. */
  static long step(long length, long window, double overlap) {
    if (window == length) {
      return window;
    }
    long step = (long) (window * (1 - overlap));
    return step > 0 ? step : 1;
  }

  /** The starts along one axis. */
  static long[] starts(long length, long window, double overlap) {
    long step = step(length, window, overlap);
    int n = 1;
    while ((long) (n - 1) * step + window < length) {
      n++;
    }
    long[] s = new long[n];
    for (int i = 0; i < n; i++) {
      long start = i * step;
      s[i] = start - Math.max(start + window - length, 0);
    }
    return s;
  }

  /** Windows per axis. */
  public long[] counts() {
    return axisStarts.stream().mapToLong(s -> s.length).toArray();
  }

  /** Number of windows. */
  public int count() {
    return Math.toIntExact(Shapes.numel(counts()));
  }

  /** An overlap as a short decimal (0.5, 0.375, 0.0833). */
  public static String format(double overlap) {
    return new java.math.BigDecimal(overlap).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
  }

  /** Start of window i (first axis slowest). */
  public long[] start(int i) {
    long[] idx = Shapes.unravel(i, counts());
    long[] s = new long[idx.length];
    for (int a = 0; a < s.length; a++) {
      s[a] = axisStarts.get(a)[(int) idx[a]];
    }
    return s;
  }

  /**
   * The grid with the largest overlap whose windows take at most {@code budget} forward passes
   * ({@code passes} counts them for a grid). The number of windows only changes where some axis's
   * step int(m (1 - overlap)) does, at overlap = 1 - k / m, so those overlaps (and 0) are the only
   * candidates; passes never decrease as the overlap grows.
   */
  public static OcclusionGrid forBudget(long[] volume, long[] size, long budget, ToLongFunction<OcclusionGrid> passes) {
    if (budget < 1) {
      throw new OptionValueException(Setting.OCCLUSION_BUDGET, Setting.OCCLUSION_BUDGET.label()
          + " must be at least 1, not " + budget);
    }
    checkFits(volume, size);
    List<Double> candidates = new ArrayList<>();
    candidates.add(0.0);
    for (int a = 0; a < volume.length; a++) {
      long m = size[a];
      for (long k = 1; k < m; k++) {
        double o = 1 - (double) k / m;
        // the float of 1 - k/m may give a step one short: step back until int(m (1 - o)) is k
        while ((long) (m * (1 - o)) < k) {
          o = Math.nextDown(o);
        }
        candidates.add(o);
      }
    }
    // passes grow with the overlap: the first candidate over the budget ends the search
    candidates.sort(null);
    OcclusionGrid best = null;
    for (double o : candidates) {
      OcclusionGrid g = of(volume, size, o);
      long p = passes.applyAsLong(g);
      if (p > budget) {
        if (best == null) {
          throw new OptionValueException(Setting.OCCLUSION_BUDGET, Setting.OCCLUSION_BUDGET.label() + " " + budget
              + " is too small: windows of " + join(size)
              + " need at least " + p + " forward passes (overlap 0); give a larger budget or "
              + Setting.OCCLUSION_SIZE.label());
        }
        break;
      }
      best = g;
    }
    return best;
  }

  /** Sizes as 8x8x8. */
  public static String join(long[] s) {
    StringBuilder b = new StringBuilder();
    for (long v : s) {
      b.append(b.length() == 0 ? "" : "x").append(v);
    }
    return b.toString();
  }

  /**
   * Copies the box {@code start}, {@code size} of one sample {@code sample} [C, *volume] (flat,
   * from {@code offset}) into {@code patch} [C, *size], or back when {@code toVolume}.
   */
  public static void copyBox(float[] sample, int offset, long[] volume, int channels, long[] start, long[] size,
      float[] patch, boolean toVolume) {
    int r = volume.length;
    int row = (int) size[r - 1];
    int volumeVoxels = (int) Shapes.numel(volume);
    int patchVoxels = (int) Shapes.numel(size);
    long[] vStrides = Shapes.strides(volume);
    int rows = patchVoxels / row;
    long[] lead = java.util.Arrays.copyOf(size, r - 1);
    for (int k = 0; k < rows; k++) {
      long rest = k;
      long vo = start[r - 1];
      for (int a = r - 2; a >= 0; a--) {
        long i = rest % lead[a];
        rest /= lead[a];
        vo += (start[a] + i) * vStrides[a];
      }
      for (int c = 0; c < channels; c++) {
        int v = offset + c * volumeVoxels + (int) vo;
        int p = c * patchVoxels + k * row;
        if (toVolume) {
          System.arraycopy(patch, p, sample, v, row);
        } else {
          System.arraycopy(sample, v, patch, p, row);
        }
      }
    }
  }
}
