package gradcam3d.render;

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
    OrderStatistics s = new OrderStatistics(values, sampleStep(values.length));
    int n = s.count();
    if (n == 0) {
      return new GrayWindow(0, 1);
    }
    // only four order statistics are needed: counted, not sorted
    double lowRank = LOW_PERCENTILE / 100 * (n - 1);
    double highRank = HIGH_PERCENTILE / 100 * (n - 1);
    int lo = (int) Math.floor(lowRank);
    int hi = (int) Math.floor(highRank);
    float[] at = s.at(lo, Math.min(lo + 1, n - 1), hi, Math.min(hi + 1, n - 1));
    double low = at[0] + (lowRank - lo) * ((double) at[1] - at[0]);
    double high = at[2] + (highRank - hi) * ((double) at[3] - at[2]);
    if (high <= low) { // mostly constant: fall back to the full range
      float[] range = s.at(0, n - 1);
      low = range[0];
      high = range[1];
    }
    if (high <= low) { // constant: show mid gray
      return new GrayWindow(low - 1, low + 1);
    }
    return new GrayWindow(low, high);
  }

  /** Which voxels {@link #robust} reads of a volume of {@code voxels}: every step-th (indices 0, step, 2 step, ...). */
  public static int sampleStep(int voxels) {
    return Math.max(1, (int) Math.ceil(voxels / (double) MAX_SAMPLES));
  }

  /**
   * {@link #robust} of a volume, from the voxels it reads of it ({@link #sampleStep}), gathered in
   * any order (e.g. while the volume is read for something else): the same window, since order
   * statistics do not depend on the order of the values.
   */
  public static GrayWindow robustOfSamples(float[] samples) {
    if (sampleStep(samples.length) != 1) {
      throw new IllegalArgumentException(samples.length + " samples: more than a volume's window reads");
    }
    return robust(samples);
  }

  /** Gray level 0..255 of an intensity; NaN is black. */
  int level(float v) {
    if (Float.isNaN(v)) {
      return 0;
    }
    double t = (v - lo) / (hi - lo);
    // Math.max(0, Math.min(1, t)) in plain comparisons (the client compiler calls Math's, once
    // per voxel shown): t is not NaN, and -0.0 rounds to level 0 as 0.0 does
    return (int) Math.round((t < 0 ? 0 : t > 1 ? 1 : t) * 255);
  }
}
