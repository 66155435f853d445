package gradcam3d.window;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where the windows go (nnU-Net's placement): per axis the fewest starts whose step is at most
 * window * (1 - overlap), spread evenly, n = ceil((size - win) / (win * (1 - overlap))) + 1 and
 * start_i = round(i * (size - win) / (n - 1)); the windows are every combination of the per-axis
 * starts, Z slowest. An axis shorter than the window is padded up to it (one window at 0). With
 * {@code nnunet} exactly as nnU-Net v2's predictor: halves rounded to even (numpy's round), and a
 * short axis padded on both sides, (win - size) // 2 before (one window starting there, a negative
 * start), as acvl_utils' pad_nd_image does.
 *
 * <p>Starts are at least one voxel apart: an overlap so close to 1 that the step would be less
 * than a voxel gives every position once, not the same window many times. A plan of more than
 * {@value #MAX_WINDOWS} windows, or whose windows cover each voxel more than {@value
 * #MAX_COVERAGE} times on average (about --overlap 0.875 in 3D, 0.955 in 2D), is refused: it
 * would run for hours to add nothing a smaller overlap does not.
 */
public record WindowGrid(long[] volume, long[] window, double overlap, List<long[]> axisStarts) {
  /** The most windows a plan may have. */
  public static final int MAX_WINDOWS = 100_000;
  /** The most times the windows may cover each voxel, on average. */
  public static final int MAX_COVERAGE = 512;

  public static WindowGrid of(long[] volume, long[] window, double overlap) {
    return of(volume, window, overlap, false);
  }

  public static WindowGrid of(long[] volume, long[] window, double overlap, boolean nnunet) {
    if (!(overlap >= 0 && overlap < 1)) {
      throw new Gradcam3dException(Setting.OVERLAP, Setting.OVERLAP.label() + " must be in [0, 1), not " + overlap);
    }
    if (window.length != volume.length) {
      throw new Gradcam3dException(Setting.WINDOW, Setting.WINDOW.label() + " " + Shapes.format(window) + " has "
          + window.length
          + " sizes but the volume " + Shapes.format(volume) + " has " + volume.length + " spatial axes");
    }
    List<long[]> starts = new ArrayList<>();
    for (int a = 0; a < volume.length; a++) {
      if (window[a] < 1) {
        throw new Gradcam3dException(Setting.WINDOW, Setting.WINDOW.label() + " sizes must be positive, not "
            + Shapes.format(window));
      }
      starts.add(nnunet ? nnunetStarts(volume[a], window[a], overlap) : starts(volume[a], window[a], overlap));
    }
    double windows = 1;
    double coverage = 1;
    for (int a = 0; a < volume.length; a++) {
      windows *= starts.get(a).length;
      coverage *= (double) starts.get(a).length * window[a] / Math.max(volume[a], window[a]);
    }
    if (windows > MAX_WINDOWS || coverage > MAX_COVERAGE) {
      throw new gradcam3d.OptionValueException(Setting.WINDOW, String.format(java.util.Locale.ROOT,
          Setting.WINDOW.label() + " %s with " + Setting.OVERLAP.label() + " %s "
          + "plans %.0f windows that cover each voxel %.0f times on average; the limits are %d windows and %d "
          + "times: use a lower " + Setting.OVERLAP.label() + " or a larger "
          + Setting.WINDOW.label(), WindowFit.join(window),
          overlap, windows, coverage, MAX_WINDOWS, MAX_COVERAGE));
    }
    return new WindowGrid(volume.clone(), window.clone(), overlap, List.copyOf(starts));
  }

  /** The starts along one axis. */
  static long[] starts(long size, long win, double overlap) {
    if (size <= win) {
      return new long[] {0};
    }
    // a step of at least one voxel: closer starts would repeat positions
    double step = Math.max(1, win * (1 - overlap));
    int n = (int) Math.ceil((size - win) / step) + 1;
    long[] s = new long[n];
    for (int i = 0; i < n; i++) {
      s[i] = Math.round(i * (double) (size - win) / (n - 1));
    }
    return s;
  }

  /** nnU-Net's starts along one axis (compute_steps_for_sliding_window, pad_nd_image). */
  static long[] nnunetStarts(long size, long win, double overlap) {
    if (size <= win) {
      return new long[] {-((win - size) / 2)};
    }
    // as in starts(): a step under one voxel would repeat positions (nnU-Net's step 0.5 never is)
    int n = (int) Math.ceil((size - win) / Math.max(1, win * (1 - overlap))) + 1;
    long[] s = new long[n];
    for (int i = 0; i < n; i++) {
      s[i] = (long) Math.rint(i * ((double) (size - win) / (n - 1)));
    }
    return s;
  }

  /** The volume padded so that every axis is at least one window long. */
  public long[] padded() {
    long[] p = new long[volume.length];
    for (int a = 0; a < p.length; a++) {
      p[a] = Math.max(volume[a], window[a]);
    }
    return p;
  }

  /**
   * The share of each window that is padding (the same for every window: only axes shorter than
   * the window are padded, and there the window covers the whole padded axis); 0 without padding.
   */
  public double paddingShare() {
    double inside = 1;
    for (int a = 0; a < volume.length; a++) {
      inside *= Math.min(volume[a], window[a]) / (double) window[a];
    }
    return 1 - inside;
  }

  public boolean needsPadding() {
    return !Arrays.equals(padded(), volume);
  }

  /** Windows per axis. */
  public long[] counts() {
    return axisStarts.stream().mapToLong(s -> s.length).toArray();
  }

  public int size() {
    return (int) Shapes.numel(counts());
  }

  /** Start of window t (Z slowest). */
  public long[] start(int t) {
    long[] idx = Shapes.unravel(t, counts());
    long[] s = new long[idx.length];
    for (int a = 0; a < s.length; a++) {
      s[a] = axisStarts.get(a)[(int) idx[a]];
    }
    return s;
  }
}
