package gradcam3d.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.tensor.FloatTensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Figure sizes and panel placement, measured on the written PNG: a CAM of 1 everywhere at opacity
 * 1 paints every panel dark red, so panels can be told from the background. Expected numbers are
 * worked out by hand in each test from the rules of {@link FigureLayout} and {@link PanelScale}.
 */
class FigureLayoutTest {
  @TempDir Path tmp;

  /** {x, y, width, height} of a panel. */
  private static List<Integer> rect(int x, int y, int w, int h) {
    return List.of(x, y, w, h);
  }

  @Test
  void thinAnisotropicVolumeStacksItsStripsUnderTheAxialPanel() throws Exception {
    // 16 x 320 x 320 voxels of 3 x 0.7 x 0.7 mm: axial 224 x 224 mm, coronal and sagittal
    // 224 mm wide, 48 mm tall. Preferred scale: the 48 mm side to 256 px (5.33 px/mm), rounded
    // up to whole pixels per 0.7 mm voxel: 4 px, 5.714 px/mm. In a row that is 3 x 1280 px, too
    // wide; in a column it is 1280 + 274 + 274 px tall, which fits 2000 px with margins.
    BufferedImage img = overlay(16, 320, 320, new double[] {3, 0.7, 0.7}, 2000);
    List<List<Integer>> panels = panels(img);
    assertEquals(List.of(rect(12, 12, 1280, 1280), rect(12, 1304, 1280, 274),
        rect(12, 1590, 1280, 274)), panels);
    // the figure: 12 + 1280 + 12 + 274 + 12 + 274 + 12 tall; the colorbar at font scale 4
    // (1876 px / 500) is 2 x 25 + 17 x 4 = 118 px wide
    assertEquals(1876, img.getHeight());
    assertEquals(12 + 1280 + 12 + 118 + 12, img.getWidth());
    // no stretching: 274 / 1280 = 48 mm / 224 mm to the pixel
    assertEquals(48 / 224.0, 274 / 1280.0, 0.5 / 1280);
  }

  @Test
  void theSeedVolumeWithoutSpacingNoLongerBecomes6000PixelsWide() throws Exception {
    // the .npy of issue 16 (1 mm voxels): the 16 px strips would want 16 px/mm, the axial panel
    // then 5120 px. In a column: 60 + 352 s <= 2000 gives s = 5.51, whole pixels: 5 px per voxel
    BufferedImage img = overlay(16, 320, 320, null, 2000);
    assertEquals(List.of(rect(12, 12, 1600, 1600), rect(12, 1624, 1600, 80),
        rect(12, 1716, 1600, 80)), panels(img));
    assertEquals(12 + 1600 + 12 + 80 + 12 + 80 + 12, img.getHeight());
    assertEquals(12 + 1600 + 12 + 118 + 12, img.getWidth());
  }

  @Test
  void figureSizeBoundsTheLongerSide() throws Exception {
    // within 1000 px: 60 + 320 s <= 1000 gives 2.94 px/mm, i.e. 2 px per 0.7 mm voxel (2.857)
    BufferedImage img = overlay(16, 320, 320, new double[] {3, 0.7, 0.7}, 1000);
    assertEquals(List.of(rect(12, 12, 640, 640), rect(12, 664, 640, 137), rect(12, 813, 640, 137)),
        panels(img));
    assertEquals(962, img.getHeight());
    assertEquals(12 + 640 + 12 + 59 + 12, img.getWidth()); // font scale 2: colorbar 59 px
  }

  @Test
  void cubicVolumeKeepsThePanelsInARow() throws Exception {
    // 96^3 of 1 mm: 96 mm to 256 px is 2.67 px/mm, whole pixels: 3 px per voxel, 288 px panels
    BufferedImage img = overlay(96, 96, 96, new double[] {1, 1, 1}, 2000);
    assertEquals(List.of(rect(12, 12, 288, 288), rect(312, 12, 288, 288),
        rect(612, 12, 288, 288)), panels(img));
    assertEquals(12 + 3 * 288 + 3 * 12 + 59 + 12, img.getWidth());
    assertEquals(12 + 288 + 12, img.getHeight());
  }

  @Test
  void largeCubeIsArrangedTwoByTwoWithinTheFigureSize() throws Exception {
    // 800^3 of 1 mm keeps 1 px per voxel only when two panels share a row
    Voxels v = Voxels.of(FloatTensor.zeros(800, 800, 1), FloatTensor.zeros(800, 800, 1), null,
        new double[] {1, 1, 800}); // only sizes matter: Z 800 mm, Y 800 mm, X 800 mm
    FigureLayout layout = OverlayFigure.layout(v, RenderOptions.defaults());
    assertEquals(FigureLayout.Arrangement.AXIAL_LEFT, layout.arrangement);
    assertEquals(List.of(new FigureLayout.Panel(Plane.AXIAL, 12, 12, 800, 800),
        new FigureLayout.Panel(Plane.CORONAL, 824, 12, 800, 800),
        new FigureLayout.Panel(Plane.SAGITTAL, 824, 824, 800, 800)), layout.panels);
    assertTrue(layout.longSide() <= 2000, "long side " + layout.longSide());
  }

  @Test
  void twoDimensionalImageIsOnePanel() throws Exception {
    // 320 x 320 pixels of 0.7 mm: 1 px per pixel already reaches 256 px, so nothing is scaled
    FloatTensor cam = Synthetic.volume(1, 320, 320, new double[] {1, 0.7, 0.7}, (z, y, x) -> 1)
        .reshape(320, 320);
    Path png = tmp.resolve("o.png");
    FigureFiles.writeOverlay(FloatTensor.zeros(320, 320), cam, null, new double[] {0.7, 0.7},
        RenderOptions.defaults().withOpacity(1), png);
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(List.of(rect(12, 12, 320, 320)), panels(img));
    assertEquals(12 + 320 + 12 + 59 + 12, img.getWidth());
    assertEquals(12 + 320 + 12, img.getHeight());
  }

  private BufferedImage overlay(int d, int h, int w, double[] spacing, int size)
      throws Exception {
    FloatTensor cam = Synthetic.volume(d, h, w, new double[] {1, 1, 1}, (z, y, x) -> 1);
    Path png = tmp.resolve("overlay.png");
    FigureFiles.writeOverlay(FloatTensor.zeros(d, h, w), cam, null, spacing,
        RenderOptions.defaults().withOpacity(1).withFigureSize(size), png);
    return ImageIO.read(png.toFile());
  }

  /**
   * Dark-red rectangles in raster order of their top-left corners. The corner pixels are free of
   * labels (labels are inset), so each rectangle is measured along its top row and left column.
   * Rows one pixel tall (the colorbar's top) are not panels.
   */
  static List<List<Integer>> panels(BufferedImage img) {
    int red = Colormap.JET.rgb(1);
    List<List<Integer>> found = new ArrayList<>();
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if ((img.getRGB(x, y) & 0xFFFFFF) != red || inside(found, x, y)) {
          continue;
        }
        int x1 = x;
        while (x1 < img.getWidth() && (img.getRGB(x1, y) & 0xFFFFFF) == red) {
          x1++;
        }
        int y1 = y;
        while (y1 < img.getHeight() && (img.getRGB(x, y1) & 0xFFFFFF) == red) {
          y1++;
        }
        if (y1 - y > 1) { // the colorbar's top row is dark red too, but one pixel tall
          found.add(rect(x, y, x1 - x, y1 - y));
          x = x1 - 1;
        }
      }
    }
    return found;
  }

  private static boolean inside(List<List<Integer>> rects, int x, int y) {
    for (List<Integer> r : rects) {
      if (x >= r.get(0) && x < r.get(0) + r.get(2) && y >= r.get(1) && y < r.get(1) + r.get(3)) {
        return true;
      }
    }
    return false;
  }
}
