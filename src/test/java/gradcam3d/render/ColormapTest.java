package gradcam3d.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import org.junit.jupiter.api.Test;

class ColormapTest {
  private static final int TOL = 2;

  @Test
  void viridisMatchesPublishedValues() {
    assertRgb(68, 1, 84, Colormap.VIRIDIS, 0);
    assertRgb(59, 82, 139, Colormap.VIRIDIS, 0.25);
    assertRgb(33, 145, 140, Colormap.VIRIDIS, 0.5);
    assertRgb(94, 201, 98, Colormap.VIRIDIS, 0.75);
    assertRgb(253, 231, 37, Colormap.VIRIDIS, 1);
  }

  @Test
  void infernoMatchesPublishedValues() {
    assertRgb(0, 0, 4, Colormap.INFERNO, 0);
    assertRgb(87, 16, 110, Colormap.INFERNO, 0.25);
    assertRgb(188, 55, 84, Colormap.INFERNO, 0.5);
    assertRgb(249, 142, 9, Colormap.INFERNO, 0.75);
    assertRgb(252, 255, 164, Colormap.INFERNO, 1);
  }

  @Test
  void turboMatchesPublishedValues() {
    assertRgb(48, 18, 59, Colormap.TURBO, 0);
    assertRgb(164, 252, 59, Colormap.TURBO, 0.5);
    assertRgb(122, 4, 3, Colormap.TURBO, 1);
  }

  @Test
  void jetRunsFromDarkBlueThroughGreenToDarkRed() {
    assertRgb(0, 0, 128, Colormap.JET, 0);
    assertRgb(0, 128, 255, Colormap.JET, 0.25);
    assertRgb(123, 255, 123, Colormap.JET, 0.5);
    assertRgb(255, 151, 0, Colormap.JET, 0.75);
    assertRgb(128, 0, 0, Colormap.JET, 1);
  }

  @Test
  void grayIsLinear() {
    for (int i = 0; i <= 10; i++) {
      int level = (int) Math.round(i / 10.0 * 255);
      assertRgb(level, level, level, Colormap.GRAY, i / 10.0);
    }
  }

  @Test
  void outOfRangeAndNanAreClamped() {
    assertEquals(Colormap.VIRIDIS.rgb(0), Colormap.VIRIDIS.rgb(-3));
    assertEquals(Colormap.VIRIDIS.rgb(1), Colormap.VIRIDIS.rgb(7));
    assertEquals(Colormap.VIRIDIS.rgb(0), Colormap.VIRIDIS.rgb(Double.NaN));
  }

  @Test
  void interpolationIsSmoothBetweenTableEntries() {
    for (String name : Colormap.names()) {
      Colormap c = Colormap.byName(name);
      for (int i = 0; i < 4096; i++) {
        int a = c.rgb(i / 4096.0);
        int b = c.rgb((i + 1) / 4096.0);
        for (int shift = 0; shift <= 16; shift += 8) {
          int step = Math.abs(((a >> shift) & 0xFF) - ((b >> shift) & 0xFF));
          assertTrue(step <= 2, name + " jumps by " + step + " at " + i / 4096.0);
        }
      }
    }
  }

  @Test
  void perceptualMapsGetBrighterMonotonically() {
    for (Colormap c : new Colormap[] {Colormap.VIRIDIS, Colormap.INFERNO, Colormap.GRAY}) {
      double previous = -1;
      for (int i = 0; i <= 64; i++) {
        int rgb = c.rgb(i / 64.0);
        double luma = 0.2126 * (rgb >> 16 & 0xFF) + 0.7152 * (rgb >> 8 & 0xFF)
            + 0.0722 * (rgb & 0xFF);
        assertTrue(luma > previous, c + " is not monotonic at " + i / 64.0);
        previous = luma;
      }
    }
  }

  @Test
  void byNameIsCaseInsensitiveAndListsValidNamesOnError() {
    assertSame(Colormap.TURBO, Colormap.byName(" Turbo "));
    assertSame(Colormap.GRAY, Colormap.byName("grey"));
    Gradcam3dException e =
        assertThrows(Gradcam3dException.class, () -> Colormap.byName("rainbow"));
    assertEquals("unknown colormap 'rainbow'; valid names are jet, turbo, viridis, inferno, gray.",
        e.getMessage());
  }

  private static void assertRgb(int r, int g, int b, Colormap c, double t) {
    int rgb = c.rgb(t);
    int[] got = {rgb >> 16 & 0xFF, rgb >> 8 & 0xFF, rgb & 0xFF};
    int[] want = {r, g, b};
    for (int i = 0; i < 3; i++) {
      assertTrue(Math.abs(got[i] - want[i]) <= TOL, c + "(" + t + ") = " + got[0] + "," + got[1]
          + "," + got[2] + " but expected about " + r + "," + g + "," + b);
    }
  }
}
