package gradcam3d.render;

import gradcam3d.tensor.Quickselect;
import java.util.Arrays;

/**
 * Maps scan intensities to gray levels through a robust window: the 1st..99th percentile of the
 * whole volume, so a few extreme voxels (metal, hot pixels) do not wash out the picture.
 */
public record GrayWindow(double lo, double hi) {
  static final double LOW_PERCENTILE = 1;
  static final double HIGH_PERCENTILE = 99;
  /** Percentiles are estimated on at most this many evenly strided voxels. */
  private static final int MAX_SAMPLES = 1 << 21;

  /** The window of a scan: its 1st..99th percentile (numpy's linear interpolation). */
  public static GrayWindow robust(float[] values) {
    float[] s = finiteSample(values);
    if (s.length == 0) {
      return new GrayWindow(0, 1);
    }
    // only four order statistics are needed: select them instead of sorting the whole sample
    double lo = percentile(s, LOW_PERCENTILE);
    double hi = percentile(s, HIGH_PERCENTILE);
    if (hi <= lo) { // mostly constant: fall back to the full range
      lo = Quickselect.select(s, 0);
      hi = Quickselect.select(s, s.length - 1);
    }
    if (hi <= lo) { // constant: show mid gray
      return new GrayWindow(lo - 1, lo + 1);
    }
    return new GrayWindow(lo, hi);
  }

  /** Gray level 0..255 of an intensity; NaN is black. */
  int level(float v) {
    if (Float.isNaN(v)) {
      return 0;
    }
    double t = (v - lo) / (hi - lo);
    return (int) Math.round(Math.max(0, Math.min(1, t)) * 255);
  }

  /**
   * Linear interpolation between order statistics, as numpy's default percentile. Reorders the
   * array (partially, by selection).
   */
  static double percentile(float[] values, double p) {
    double rank = p / 100 * (values.length - 1);
    int i = (int) Math.floor(rank);
    double a = Quickselect.select(values, i);
    // the selection leaves no smaller value after position i: the next order statistic is the
    // least of them
    double b = i + 1 < values.length ? min(values, i + 1) : a;
    return a + (rank - i) * (b - a);
  }

  private static float min(float[] values, int from) {
    float m = values[from];
    for (int k = from + 1; k < values.length; k++) {
      if (values[k] < m) {
        m = values[k];
      }
    }
    return m;
  }


  private static float[] finiteSample(float[] values) {
    int step = Math.max(1, (int) Math.ceil(values.length / (double) MAX_SAMPLES));
    float[] out = new float[(values.length + step - 1) / step];
    int n = 0;
    for (int i = 0; i < values.length; i += step) {
      if (Float.isFinite(values[i])) {
        out[n++] = values[i];
      }
    }
    return Arrays.copyOf(out, n);
  }
}
