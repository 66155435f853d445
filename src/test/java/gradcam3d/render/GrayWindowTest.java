package gradcam3d.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gradcam3d.tensor.Quickselect;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The window's order statistics by selection equal those of a full sort. */
class GrayWindowTest {
  @Test
  void selectionEqualsSortedOrderStatistics() {
    Random rnd = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + rnd.nextInt(500);
      float[] a = new float[n];
      for (int i = 0; i < n; i++) {
        // few distinct values in some trials: many ties
        a[i] = trial % 3 == 0 ? rnd.nextInt(4) : (float) rnd.nextGaussian();
      }
      float[] sorted = a.clone();
      Arrays.sort(sorted);
      int k = rnd.nextInt(n);
      assertEquals(sorted[k], Quickselect.select(a.clone(), k), "trial " + trial + " k " + k);
      float[] b = a.clone();
      for (double p : new double[] {1, 50, 99}) {
        double rank = p / 100 * (n - 1);
        int i = (int) Math.floor(rank);
        int j = Math.min(i + 1, n - 1);
        double expected = sorted[i] + (rank - i) * (sorted[j] - sorted[i]);
        assertEquals(expected, GrayWindow.percentile(b, p), 1e-6, "trial " + trial + " p " + p);
      }
    }
  }
}
