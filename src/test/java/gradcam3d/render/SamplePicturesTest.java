package gradcam3d.render;

import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.tensor.FloatTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders a phantom (noise, three spheres, a CAM blob on one sphere, Z spacing 1.5 mm) with every
 * colormap. Pass -Drender.samples=/some/dir to keep the pictures for a look.
 */
class SamplePicturesTest {
  @TempDir Path tmp;

  @Test
  void rendersPhantomWithEveryColormap() throws Exception {
    String keep = System.getProperty("render.samples");
    Path dir = keep != null ? Path.of(keep) : tmp;
    double[] sp = {1.5, 1, 1};
    double[][] balls = {{24, 40, 70, 11}, {33, 66, 38, 8}, {45, 30, 30, 7}};
    FloatTensor image = Synthetic.phantom(40, 96, 112, sp, balls, 7);
    FloatTensor cam = Synthetic.volume(40, 96, 112, sp,
        (z, y, x) -> Synthetic.gaussian(z, y, x, new double[] {25, 42, 68}, 7));
    FloatTensor mask = Synthetic.volume(40, 96, 112, sp,
        (z, y, x) -> Synthetic.inBall(z, y, x, balls[0], balls[0][3]) ? 1 : 0);
    for (String name : Colormap.names()) {
      RenderOptions o = RenderOptions.defaults().withColormap(Colormap.byName(name));
      Path sub = dir.resolve(name);
      RenderedFigures r = Figures.writeAll(image, cam, mask, sp, o, sub);
      assertTrue(Files.size(r.overlay()) > 1000);
      assertTrue(Files.size(r.montagePng()) > 1000);
    }
    FloatTensor slice2d = image.slice0(16);
    FloatTensor cam2d = cam.slice0(16);
    Figures.writeAll(slice2d, cam2d, mask.slice0(16), new double[] {1, 1},
        RenderOptions.defaults(), dir.resolve("2d"));
  }
}
