package gradcam3d.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gradcam3d.tensor.FloatTensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AspectRatioTest {
  @TempDir Path tmp;

  @Test
  void panelsKeepPhysicalProportions() throws Exception {
    // Z 8 x 2 mm, Y 24 x 1 mm, X 32 x 1 mm; a CAM of 1 everywhere at opacity 1 paints every panel
    // pixel dark red, so the panels can be measured against the background
    int d = 8;
    int h = 24;
    int w = 32;
    FloatTensor cam = Synthetic.volume(d, h, w, new double[] {2, 1, 1}, (z, y, x) -> 1);
    Path png = tmp.resolve("overlay.png");
    FigureFiles.writeOverlay(FloatTensor.zeros(d, h, w), cam, null, new double[] {2, 1, 1},
        RenderOptions.defaults().withOpacity(1), png);
    List<int[]> panels = panels(ImageIO.read(png.toFile()));
    assertEquals(3, panels.size());
    int[] axial = panels.get(0);
    int[] coronal = panels.get(1);
    int[] sagittal = panels.get(2);
    // shortest side (coronal/sagittal height, 16 mm) becomes 256 px: 16 px per mm
    assertEquals(List.of(512, 384), List.of(axial[0], axial[1]));
    assertEquals(List.of(512, 256), List.of(coronal[0], coronal[1]));
    assertEquals(List.of(384, 256), List.of(sagittal[0], sagittal[1]));
    double coronalRow = coronal[1] / (double) d;
    double coronalCol = coronal[0] / (double) w;
    assertEquals(2.0, coronalRow / coronalCol, 1e-9);
    assertEquals(2.0, (sagittal[1] / (double) d) / (sagittal[0] / (double) h), 1e-9);
    assertEquals(1.0, (axial[1] / (double) h) / (axial[0] / (double) w), 1e-9);
  }

  @Test
  void smallSlicesAreEnlargedToAtLeast256PixelsAndLargeOnesKeptNative() {
    Voxels small = voxelsOf(20, 30, 40, new double[] {1.5, 1, 1});
    double s = PanelScale.forFigure(small, List.of(Plane.values()));
    for (Plane p : Plane.values()) {
      int shortSide = Math.min(PanelScale.width(small, p, s), PanelScale.height(small, p, s));
      assertEquals(true, shortSide >= 256, p + " short side " + shortSide);
    }
    Voxels big = voxelsOf(300, 512, 512, new double[] {1, 1, 1});
    assertEquals(1.0, PanelScale.forFigure(big, List.of(Plane.values())), 1e-12);
  }

  private static Voxels voxelsOf(int d, int h, int w, double[] spacing) {
    return Voxels.of(FloatTensor.zeros(d, h, w), FloatTensor.zeros(d, h, w), null, spacing);
  }

  /** {width, height} of each dark-red panel, left to right, starting on the top margin row. */
  private static List<int[]> panels(BufferedImage img) {
    int red = Colormap.JET.rgb(1);
    int top = OverlayFigure.MARGIN;
    List<int[]> found = new ArrayList<>();
    int x = 0;
    while (x < img.getWidth()) {
      if ((img.getRGB(x, top) & 0xFFFFFF) != red) {
        x++;
        continue;
      }
      int x0 = x;
      while (x < img.getWidth() && (img.getRGB(x, top) & 0xFFFFFF) == red) {
        x++;
      }
      int y = top;
      while (y < img.getHeight() && (img.getRGB(x - 1, y) & 0xFFFFFF) == red) {
        y++;
      }
      found.add(new int[] {x - x0, y - top});
    }
    return found;
  }
}
