package gradcam3d.volume;

import gradcam3d.tensor.Quickselect;

/**
 * Percentiles of a block of values as numpy's {@code percentile} (default linear method) gives
 * them: the value at rank p / 100 * (n - 1) in sorted order, interpolated between its two
 * neighbours. Order statistics are found by selection (expected linear time) on a copy, so a
 * 512 x 512 x 300 channel needs no full sort.
 */
final class Percentiles {
  private Percentiles() {}

  /** The {@code lo}-th and {@code hi}-th percentiles (0..100) of in[from, from + count). */
  static double[] of(float[] in, int from, int count, double lo, double hi) {
    float[] copy = new float[count];
    System.arraycopy(in, from, copy, 0, count);
    return new double[] {percentile(copy, lo), percentile(copy, hi)};
  }

  private static double percentile(float[] values, double p) {
    double rank = p / 100 * (values.length - 1);
    int k = (int) Math.floor(rank);
    double below = Quickselect.select(values, k);
    if (rank == k || k + 1 >= values.length) {
      return below;
    }
    double above = Quickselect.select(values, k + 1);
    return below + (rank - k) * (above - below);
  }
}
