package gradcam3d.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
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
  void noneCopiesValues() {
    FloatTensor out = Normalization.parse("NONE").apply(TWO_CHANNELS);
    assertArrayEquals(TWO_CHANNELS.data(), out.data(), 0);
    assertNotSame(TWO_CHANNELS.data(), out.data());
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
      assertTrue(e.getMessage().contains("none, zscore, minmax or window:LO,HI with LO < HI"),
          e.getMessage());
    }
  }
}
