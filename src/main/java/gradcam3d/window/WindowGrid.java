package gradcam3d.window;

import gradcam3d.Gradcam3dException;
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
 */
public record WindowGrid(long[] volume, long[] window, double overlap, List<long[]> axisStarts) {

  public static WindowGrid of(long[] volume, long[] window, double overlap) {
    return of(volume, window, overlap, false);
  }

  public static WindowGrid of(long[] volume, long[] window, double overlap, boolean nnunet) {
    if (!(overlap >= 0 && overlap < 1)) {
      throw new Gradcam3dException("--overlap must be in [0, 1), not " + overlap);
    }
    if (window.length != volume.length) {
      throw new Gradcam3dException("--window " + Shapes.format(window) + " has " + window.length
          + " sizes but the volume " + Shapes.format(volume) + " has " + volume.length + " spatial axes");
    }
    List<long[]> starts = new ArrayList<>();
    for (int a = 0; a < volume.length; a++) {
      if (window[a] < 1) {
        throw new Gradcam3dException("--window sizes must be positive, not " + Shapes.format(window));
      }
      starts.add(nnunet ? nnunetStarts(volume[a], window[a], overlap) : starts(volume[a], window[a], overlap));
    }
    return new WindowGrid(volume.clone(), window.clone(), overlap, List.copyOf(starts));
  }

  /** The starts along one axis. */
  static long[] starts(long size, long win, double overlap) {
    if (size <= win) {
      return new long[] {0};
    }
    int n = (int) Math.ceil((size - win) / (win * (1 - overlap))) + 1;
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
    int n = (int) Math.ceil((size - win) / (win * (1 - overlap))) + 1;
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
