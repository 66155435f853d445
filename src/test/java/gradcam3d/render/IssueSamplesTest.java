package gradcam3d.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.tensor.FloatTensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pictures of docs/figures: a thin rectal-MRI-like volume (16 x 320 x 320, 3 x 0.7 x 0.7 mm,
 * with a NIfTI-like affine) with a compact and with a fragmented target region, a cube and a 2D
 * image. Pass -Drender.samples=docs/figures to refresh them.
 */
class IssueSamplesTest {
  @TempDir Path tmp;

  static final double[] THIN = {3, 0.7, 0.7};
  /** RAS-like: i (X) runs right, j (Y) anterior, k (Z) superior, with an offset origin. */
  static final double[][] AFFINE = {{0.7, 0, 0, -112}, {0, 0.7, 0, -100}, {0, 0, 3, -24},
      {0, 0, 0, 1}};

  @Test
  void thinVolumeWithCompactAndFragmentedRegions() throws Exception {
    Path dir = samples();
    double[][] balls = {{27, 120, 110, 18}, {21, 150, 170, 12}, {33, 90, 160, 10}};
    FloatTensor image = Synthetic.phantom(16, 320, 320, THIN, balls, 3);
    FloatTensor cam = Synthetic.volume(16, 320, 320, THIN,
        (z, y, x) -> Synthetic.gaussian(z, y, x, new double[] {27, 118, 112}, 14));
    RenderedFigures compact = Figures.writeAll(image, cam, Regions.ball(16, 320, 320, THIN,
        balls[0]), THIN, AFFINE, RenderOptions.defaults(), dir.resolve("thin-compact"));
    assertTrue(compact.contour().drawn(), compact.contour().reason());
    RenderedFigures fragmented = Figures.writeAll(image, cam, Regions.speckles(16, 320, 320, 0.3,
        11), THIN, AFFINE, RenderOptions.defaults(), dir.resolve("thin-fragmented"));
    assertTrue(fragmented.contour().reason().startsWith("skipped: the region is fragmented"),
        fragmented.contour().reason());
    BufferedImage overlay = ImageIO.read(compact.overlay().toFile());
    assertTrue(Math.max(overlay.getWidth(), overlay.getHeight()) <= 2000);
  }

  @Test
  void cubeAndTwoDimensionalImage() throws Exception {
    Path dir = samples();
    double[] iso = {1, 1, 1};
    double[][] balls = {{48, 40, 56, 14}, {30, 62, 30, 9}};
    FloatTensor image = Synthetic.phantom(96, 96, 96, iso, balls, 5);
    FloatTensor cam = Synthetic.volume(96, 96, 96, iso,
        (z, y, x) -> Synthetic.gaussian(z, y, x, new double[] {46, 42, 54}, 9));
    RenderedFigures cube = Figures.writeAll(image, cam, Regions.ball(96, 96, 96, iso, balls[0]),
        iso, RenderOptions.defaults(), dir.resolve("cube"));
    assertEquals(96 / MontagePlan.MAX_TILES <= 4, cube.montage().slices().size() >= 12);
    RenderedFigures flat = Figures.writeAll(image.slice0(46), cam.slice0(46),
        Regions.ball(96, 96, 96, iso, balls[0]).slice0(46), new double[] {1, 1},
        RenderOptions.defaults(), dir.resolve("image-2d"));
    assertEquals(null, flat.montage());
  }

  private Path samples() {
    String keep = System.getProperty("render.samples");
    return keep != null ? Path.of(keep) : tmp;
  }
}
