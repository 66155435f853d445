package gradcam3d.render;

import gradcam3d.tensor.Quickselect;

/**
 * Exact order statistics (as {@code Arrays.sort} orders floats: -0.0 before 0.0) of the finite
 * values at every {@code step}-th position of an array, which is neither copied nor reordered:
 * one pass counts the values per bucket of their leading 16 bits in float order, a second
 * collects the few buckets that hold the ranks asked for, and the ranks are selected within them.
 * Two passes of counting instead of repeated selections over a copy of a whole scan.
 */
final class OrderStatistics {
  private static final int BUCKET_BITS = 16;
  private static final int SHIFT = 32 - BUCKET_BITS;
  /** No finite float has this key: it would be a NaN's. */
  private static final int NOT_FINITE = -1;

  private final float[] values;
  private final int step;
  private final int[] counts = new int[1 << BUCKET_BITS];
  private final int count;

  OrderStatistics(float[] values, int step) {
    this.values = values;
    this.step = step;
    // locals, not fields, in the loops: the launcher's client compiler reloads fields each time
    int[] c = counts;
    int n = 0;
    for (int i = 0; i < values.length; i += step) {
      int key = key(values[i]);
      if (key != NOT_FINITE) {
        c[key >>> SHIFT]++;
        n++;
      }
    }
    count = n;
  }

  /** How many finite values were counted. */
  int count() {
    return count;
  }

  /** The values at these ranks (0 = the smallest, each below {@link #count}), in the same order. */
  float[] at(int... ranks) {
    int[] start = new int[counts.length + 1];
    for (int b = 0; b < counts.length; b++) {
      start[b + 1] = start[b] + counts[b];
    }
    // each rank's bucket, and one array per distinct bucket for its values
    int[] bucketOf = new int[ranks.length];
    float[][] held = new float[counts.length][];
    for (int r = 0; r < ranks.length; r++) {
      if (ranks[r] < 0 || ranks[r] >= count) {
        throw new IllegalArgumentException("rank " + ranks[r] + " of " + count + " values");
      }
      int b = java.util.Arrays.binarySearch(start, ranks[r]);
      // the last bucket starting at or before the rank (empty buckets share their start)
      b = b >= 0 ? lastStartingAt(start, b) : -b - 2;
      bucketOf[r] = b;
      if (held[b] == null) {
        held[b] = new float[counts[b]];
      }
    }
    int[] filled = new int[counts.length];
    float[] vs = values;
    for (int i = 0; i < vs.length; i += step) {
      float v = vs[i];
      int key = key(v);
      if (key != NOT_FINITE) {
        float[] h = held[key >>> SHIFT];
        if (h != null) {
          h[filled[key >>> SHIFT]++] = v;
        }
      }
    }
    float[] out = new float[ranks.length];
    for (int r = 0; r < ranks.length; r++) {
      int b = bucketOf[r];
      // one bucket holds one sign: -0.0 and 0.0, which selection takes as equal, never meet
      out[r] = Quickselect.select(held[b], ranks[r] - start[b]);
    }
    return out;
  }

  private static int lastStartingAt(int[] start, int b) {
    while (b + 1 < start.length - 1 && start[b + 1] == start[b]) {
      b++;
    }
    return b;
  }

  /**
   * A float's bits as an unsigned key in float order (the sign bit flips the rest for negatives,
   * -0.0 just below 0.0), or {@link #NOT_FINITE} for NaN and the infinities; its leading
   * {@value #BUCKET_BITS} bits are the bucket.
   */
  private static int key(float v) {
    int bits = Float.floatToRawIntBits(v);
    if ((bits & 0x7f800000) == 0x7f800000) { // exponent all ones: NaN or an infinity
      return NOT_FINITE;
    }
    return bits ^ ((bits >> 31) & 0x7fffffff) ^ 0x80000000;
  }
}
