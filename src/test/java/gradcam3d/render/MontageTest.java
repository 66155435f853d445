package gradcam3d.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MontageTest {
  @TempDir Path tmp;

  @Test
  void givenStepShowsEveryNthSliceThroughThePeakWithLabels() throws Exception {
    int d = 30;
    double[] sp = {1, 1, 1};
    FloatTensor image = Synthetic.volume(d, 40, 40, sp, (z, y, x) -> 50 + x);
    FloatTensor cam = Synthetic.volume(d, 40, 40, sp,
        (z, y, x) -> Synthetic.gaussian(z, y, x, new double[] {13, 20, 20}, 3));
    RenderOptions o = RenderOptions.defaults().withMontageEvery(4);
    Path png = tmp.resolve("montage.png");

    MontagePlan plan = FigureFiles.writeMontage(image, cam, null, sp, o, png);

    assertEquals(4, plan.every());
    assertEquals(List.of(1, 5, 9, 13, 17, 21, 25, 29), plan.slices());
    assertEquals(List.of("z=1", "z=5", "z=9", "z=13", "z=17", "z=21", "z=25", "z=29"),
        plan.labels());
    assertEquals(3, plan.columns());
    assertEquals(3, plan.rows());

    BufferedImage img = ImageIO.read(png.toFile());
    MontageFigure layout = new MontageFigure(
        Voxels.of(image, cam, null, sp), o.montageEvery(), 13);
    assertEquals(plan, layout.plan);
    // 40 voxels -> 5 px each (the longer side about 224 px, whole pixels per voxel)
    assertEquals(200, layout.tileWidth);
    assertEquals(200, layout.tileHeight);
    assertEquals(MontageFigure.MARGIN + 3 * 200 + 2 * MontageFigure.GAP + MontageFigure.MARGIN,
        img.getHeight());
    for (int k = 0; k < 9; k++) {
      int centre = img.getRGB(layout.tileX(k) + 100, layout.tileY(k) + 100) & 0xFFFFFF;
      if (k < 8) {
        assertNotEquals(Annotations.BACKGROUND, centre, "tile " + k);
        assertLabel(img, layout.tileX(k), layout.tileY(k), plan.labels().get(k));
      } else {
        assertEquals(Annotations.BACKGROUND, centre, "the ninth cell stays empty");
      }
    }
  }

  @Test
  void defaultStepGivesAtMost24TilesAndAtLeast12ForDeepVolumes() {
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), MontagePlan.of(10, null, 3, 1).slices());
    MontagePlan p100 = MontagePlan.of(100, null, 52, 1);
    assertEquals(5, p100.every());
    assertEquals(20, p100.slices().size());
    assertEquals(2, p100.slices().get(0));
    assertTrue(p100.slices().contains(52));
    for (int d = 25; d <= 600; d++) {
      for (int anchor : new int[] {0, d / 2, d - 1}) {
        MontagePlan p = MontagePlan.of(d, null, anchor, 1);
        int n = p.slices().size();
        assertTrue(n >= 12 && n <= 24, "depth " + d + ": " + n + " tiles");
        assertTrue(p.slices().contains(anchor));
        assertTrue(p.columns() * p.rows() >= n && p.columns() * (p.rows() - 1) < n);
      }
    }
  }

  @Test
  void wideTilesGetFewerColumns() {
    MontagePlan wide = MontagePlan.of(20, null, 0, 0.25);
    assertEquals(3, wide.columns());
    assertEquals(7, wide.rows());
  }

  @Test
  void twoDimensionalInputHasNoMontage() {
    FloatTensor img = FloatTensor.zeros(8, 8);
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> FigureFiles.writeMontage(
        img, img, null, null, RenderOptions.defaults(), tmp.resolve("m.png")));
    assertTrue(e.getMessage().contains("2D image"));
  }

  /** The label's text pixels are white exactly where the font has ink. */
  private static void assertLabel(BufferedImage img, int tileX, int tileY, String text) {
    int s = Annotations.TEXT_SCALE;
    int x0 = tileX + Annotations.INSET + Annotations.PAD;
    int y0 = tileY + Annotations.INSET + Annotations.PAD;
    for (int row = 0; row < PixelFont.GLYPH_H; row++) {
      for (int col = 0; col < PixelFont.width(text, 1); col++) {
        boolean white = (img.getRGB(x0 + col * s, y0 + row * s) & 0xFFFFFF) == Annotations.TEXT;
        assertEquals(PixelFont.isSet(text, col, row), white,
            "label " + text + " at font pixel " + col + "," + row);
      }
    }
  }
}
