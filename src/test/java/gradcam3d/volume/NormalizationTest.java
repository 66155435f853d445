package gradcam3d.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import org.junit.jupiter.api.Test;

class NormalizationTest {
  /** Two channels of 2x2 voxels: a ramp and a constant. */
  private static final FloatTensor TWO_CHANNELS =
      new FloatTensor(new float[] {1, 2, 3, 4, 10, 10, 10, 10}, 2, 2, 2);

  @Test
  void zscorePerChannelWithPopulationStd() {
    FloatTensor out = Normalization.parse("zscore").apply(TWO_CHANNELS);
    // mean 2.5, population std sqrt(1.25) = 1.1180340; the constant channel is only centred
    assertArrayEquals(new float[] {-1.3416408f, -0.4472136f, 0.4472136f, 1.3416408f, 0, 0, 0, 0},
        out.data(), 1e-6f);
    assertArrayEquals(new long[] {2, 2, 2}, out.shape());
  }

  @Test
  void minmaxPerChannel() {
    FloatTensor in = new FloatTensor(new float[] {2, 4, 6, 10, -3, -3, -3, -3}, 2, 4);
    FloatTensor out = Normalization.parse("minmax").apply(in);
    assertArrayEquals(new float[] {0, 0.25f, 0.5f, 1, 0, 0, 0, 0}, out.data(), 0);
  }

  @Test
  void windowClipsThenScales() {
    FloatTensor in = new FloatTensor(new float[] {-200, -100, 0, 100, 300, 500}, 1, 6);
    FloatTensor out = Normalization.parse("window:-100,300").apply(in);
    assertArrayEquals(new float[] {0, 0, 0.25f, 0.5f, 1, 1}, out.data(), 0);
    assertEquals("window:-100.0,300.0", Normalization.parse(" Window: -100 , 300 ").toString());
  }

  @Test
  void noneKeepsTheTensorWithoutACopy() {
    // a scan may be a quarter of the heap: nothing to change, nothing copied (no reader writes into it)
    FloatTensor out = Normalization.parse("NONE").apply(TWO_CHANNELS);
    assertSame(TWO_CHANNELS, out);
    assertEquals("none", Normalization.NONE.toString());
    assertEquals("zscore", Normalization.parse("zscore").toString());
  }

  @Test
  void badSpecsListTheValidForms() {
    for (String bad : new String[] {"z-score", "window:1", "window:5,5", "window:3,1",
        "window:a,b", "window:1,2,3", "window:-inf,0", ""}) {
      Gradcam3dException e = assertThrows(Gradcam3dException.class,
          () -> Normalization.parse(bad), bad);
      assertTrue(e.getMessage().startsWith("unknown normalisation '" + bad + "'"), e.getMessage());
      assertTrue(e.getMessage().contains("none, zscore, zscore:nonzero, minmax, window:A_MIN,A_MAX[,B_MIN,B_MAX]"),
          e.getMessage());
    }
  }

  /** ScaleIntensityRange(a_min, a_max, b_min, b_max, clip=True): to [b_min, b_max], clipped. */
  @Test
  void windowWithATargetRangeIsMonaisScaleIntensityRange() {
    FloatTensor in = new FloatTensor(new float[] {-200, -100, 100, 300, 500}, new long[] {1, 5});
    FloatTensor out = Normalization.parse("window:-100,300,-1,1").apply(in);
    assertArrayEquals(new float[] {-1, -1, 0, 1, 1}, out.data(), 1e-6f);
    assertEquals("window:-100.0,300.0,-1.0,1.0", Normalization.parse("window:-100,300,-1,1").toString());
  }

  /** Percentiles as numpy's linear method: rank p/100 * (n - 1), interpolated. */
  @Test
  void percentileWindowUsesNumpysPercentiles() {
    float[] v = new float[101];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i * 37) % 101; // 0..100 shuffled
    }
    FloatTensor in = new FloatTensor(v, new long[] {1, 101});
    // 10th percentile = 10, 90th = 90 exactly; 12.5th of 0..100 = 12.5
    Normalization.Linear l = Normalization.parse("percentile:10,90").fitted(in).get(0);
    assertEquals(0, l.apply(10), 1e-9);
    assertEquals(1, l.apply(90), 1e-9);
    assertEquals(1, l.apply(100), 1e-9, "clipped");
    Normalization.Linear q = Normalization.parse("percentile:12.5,87.5,0,100").fitted(in).get(0);
    assertEquals(0, q.apply(12.5), 1e-9);
    assertEquals(100, q.apply(87.5), 1e-9);
  }

  /** NormalizeIntensity(nonzero=True): statistics of the nonzero voxels, zeros stay 0. */
  @Test
  void zscoreNonzeroLeavesZerosAlone() {
    FloatTensor in = new FloatTensor(new float[] {0, 2, 4, 0, 6}, new long[] {1, 5});
    FloatTensor out = Normalization.parse("zscore:nonzero").apply(in);
    double std = Math.sqrt(((2 - 4) * (2 - 4) + 0 + (6 - 4) * (6 - 4)) / 3.0);
    assertArrayEquals(new float[] {0, (float) (-2 / std), 0, 0, (float) (2 / std)}, out.data(), 1e-6f);
  }

  @Test
  void oneModePerChannel() {
    FloatTensor in = new FloatTensor(new float[] {0, 10, 1, 3}, new long[] {2, 2});
    Normalization n = Normalization.perChannel(java.util.List.of(Normalization.parse("minmax"),
        Normalization.parse("window:1,3,0,2")));
    assertArrayEquals(new float[] {0, 1, 0, 2}, n.apply(in).data(), 1e-6f);
    assertEquals("minmax;window:1.0,3.0,0.0,2.0", n.toString());
    assertThrows(Gradcam3dException.class, () -> n.apply(new FloatTensor(new float[3], new long[] {3, 1})));
  }
}
