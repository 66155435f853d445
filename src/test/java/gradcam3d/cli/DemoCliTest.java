package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.report.Json;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.NiftiReader;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command: the bundled demo, judged by its true label. */
class DemoCliTest {
  @TempDir
  Path tmp;

  @Test
  @SuppressWarnings("unchecked")
  void demoPutsMostOfTheMapOnTheSpheres() throws IOException {
    Path out = tmp.resolve("demo");
    Cli.Run r = Cli.run("demo", "--out", out.toString(), "--threads", "2");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("of the CAM's mass lies inside the true class-1 label"), r.out());
    Map<String, Object> s = (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
    Map<String, Object> label = (Map<String, Object>) s.get("label");
    double mass = ((Number) label.get("cam_mass_inside_label")).doubleValue();
    double share = ((Number) label.get("label_share_of_volume")).doubleValue();
    // the demo's reference (PyTorch): about 0.58 of the mass on spheres covering 0.02 of the volume
    assertEquals(0.58, mass, 0.02);
    assertEquals(0.02, share, 0.003);
    NiftiImage cam = NiftiReader.read(out.resolve("cam.nii.gz"));
    NiftiImage input = NiftiReader.read(Path.of("src/main/resources/gradcam3d/demo/demo_case1.nii.gz"));
    assertArrayEquals(input.shape(), cam.shape());
    for (int row = 0; row < 4; row++) {
      assertArrayEquals(input.header().affine()[row], cam.header().affine()[row], 1e-9);
    }
    for (String png : new String[] {"overlay.png", "montage.png"}) {
      BufferedImage img = ImageIO.read(out.resolve(png).toFile());
      assertNotNull(img, png);
      assertTrue(img.getWidth() >= 512 && img.getHeight() >= 256, png + " " + img.getWidth() + "x" + img.getHeight());
    }
  }
}
