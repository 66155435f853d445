package gradcam3d.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gradcam3d.tensor.Quickselect;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The window's order statistics by counting and by selection equal those of a full sort. */
class GrayWindowTest {
  /** Random values: Gaussian, few distinct ones (many ties), or with signed zeros, NaN and infinities. */
  private static float[] values(Random rnd, int trial, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = switch (trial % 4) {
        case 0 -> rnd.nextInt(4);
        case 1 -> (float) rnd.nextGaussian();
        case 2 -> new float[] {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-30f,
            -1e30f, (float) rnd.nextGaussian()}[rnd.nextInt(8)];
        default -> (float) (1000 + 1e-3 * rnd.nextGaussian()); // a narrow range: one or two buckets
      };
    }
    return a;
  }

  /** The finite values at every step-th position, sorted. */
  private static float[] sortedFinite(float[] a, int step) {
    float[] f = new float[a.length];
    int n = 0;
    for (int i = 0; i < a.length; i += step) {
      if (Float.isFinite(a[i])) {
        f[n++] = a[i];
      }
    }
    f = Arrays.copyOf(f, n);
    Arrays.sort(f);
    return f;
  }

  @Test
  void countedAndSelectedOrderStatisticsEqualSortedOnes() {
    Random rnd = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + rnd.nextInt(500);
      float[] a = values(rnd, trial, n);
      float[] before = a.clone();
      int step = 1 + rnd.nextInt(3);
      float[] sorted = sortedFinite(a, step);
      OrderStatistics s = new OrderStatistics(a, step);
      assertEquals(sorted.length, s.count(), "trial " + trial);
      int[] ranks = new int[sorted.length];
      for (int k = 0; k < ranks.length; k++) {
        ranks[k] = ranks.length - 1 - k; // in any order
      }
      float[] at = s.at(ranks);
      for (int k = 0; k < ranks.length; k++) {
        // bit for bit, -0.0 before 0.0 as Arrays.sort orders them
        assertEquals(Float.floatToRawIntBits(sorted[ranks[k]]), Float.floatToRawIntBits(at[k]), "trial " + trial
            + " rank " + ranks[k]);
      }
      assertEquals(Arrays.toString(before), Arrays.toString(a), "the values are left as they were");
      if (trial % 4 != 2) { // selection takes -0.0 and 0.0 as equal
        float[] finite = sorted.clone();
        int k = rnd.nextInt(finite.length);
        for (int i = finite.length - 1; i > 0; i--) { // shuffled, so the selection has work to do
          int j = rnd.nextInt(i + 1);
          float t = finite[i];
          finite[i] = finite[j];
          finite[j] = t;
        }
        assertEquals(sorted[k], Quickselect.select(finite, k), "trial " + trial + " k " + k);
      }
    }
  }

  /** numpy's percentile (linear interpolation) of the finite values, as the window's definition. */
  private static double percentile(float[] sorted, double p) {
    double rank = p / 100 * (sorted.length - 1);
    int i = (int) Math.floor(rank);
    int j = Math.min(i + 1, sorted.length - 1);
    return sorted[i] + (rank - i) * ((double) sorted[j] - sorted[i]);
  }

  @Test
  void theWindowIsTheFirstAndNinetyNinthPercentileOfTheFiniteValues() {
    Random rnd = new Random(11);
    for (int trial = 0; trial < 40; trial++) {
      float[] a = values(rnd, trial, 1 + rnd.nextInt(2000));
      float[] sorted = sortedFinite(a, 1);
      GrayWindow w = GrayWindow.robust(a);
      if (sorted.length == 0) {
        assertEquals(new GrayWindow(0, 1), w);
        continue;
      }
      double lo = percentile(sorted, 1);
      double hi = percentile(sorted, 99);
      if (hi <= lo) {
        lo = sorted[0];
        hi = sorted[sorted.length - 1];
      }
      GrayWindow expected = hi <= lo ? new GrayWindow(lo - 1, lo + 1) : new GrayWindow(lo, hi);
      assertEquals(expected.lo(), w.lo(), 0, "trial " + trial); // == : -0.0 and 0.0 show the same grays
      assertEquals(expected.hi(), w.hi(), 0, "trial " + trial);
    }
    // more voxels than the sample: every step-th one
    float[] big = new float[(1 << 21) + 5];
    for (int i = 0; i < big.length; i++) {
      big[i] = (float) rnd.nextGaussian();
    }
    float[] sorted = sortedFinite(big, 2);
    GrayWindow w = GrayWindow.robust(big);
    assertEquals(percentile(sorted, 1), w.lo(), 0);
    assertEquals(percentile(sorted, 99), w.hi(), 0);
  }
}
