package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.report.Json;
import gradcam3d.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The picture options --contour, --figure-size and --spacing through the real command line. */
class FiguresCliTest {
  @TempDir
  Path tmp;

  private final Path model = Fixtures.ROOT.resolve("models/seed_unet3d.onnx");
  private final Path npy = Fixtures.ROOT.resolve("inputs/seed_unet3d.npy");
  private final Path nifti = Fixtures.ROOT.resolve("inputs/seed_unet3d.nii.gz");

  private Cli.Run explain(Path input, String... extra) {
    List<String> a = new ArrayList<>(List.of("explain", "--model", model.toString(), "--input",
        input.toString(), "--layer", "down3", "--target", "1", "--out", tmp.resolve("out").toString(),
        "--threads", "1", "--quiet"));
    a.addAll(Arrays.asList(extra));
    return Cli.run(a.toArray(String[]::new));
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> pictures() throws IOException {
    Map<String, Object> s = (Map<String, Object>) Json.parse(
        Files.readString(tmp.resolve("out/summary.json")));
    return (Map<String, Object>) s.get("pictures");
  }

  @Test
  void contourDecisionAndMontageSlicesAreInSummaryJson() throws Exception {
    Cli.Run r = explain(npy);
    assertEquals(0, r.exit(), r.toString());
    @SuppressWarnings("unchecked")
    Map<String, Object> contour = (Map<String, Object>) pictures().get("contour");
    assertEquals("auto", contour.get("rule"));
    // the target is "class 1 where the model predicts it": a real region, so a real decision
    assertTrue(((Number) contour.get("pieces")).intValue() >= 1, contour.toString());
    assertTrue(((String) contour.get("reason")).startsWith(
        (Boolean) contour.get("drawn") ? "drawn: " : "skipped: "), contour.toString());
    // the seed volume is 24 slices deep: all of them fit the montage
    assertEquals(24, ((List<?>) pictures().get("montage_slices")).size());

    assertEquals(0, explain(npy, "--contour", "never").exit());
    @SuppressWarnings("unchecked")
    Map<String, Object> never = (Map<String, Object>) pictures().get("contour");
    assertEquals("never", never.get("rule"));
    assertEquals(false, never.get("drawn"));
    assertEquals(contour.get("pieces"), never.get("pieces"));
  }

  @Test
  void figureSizeAndSpacingShapeTheOverlay() throws Exception {
    // 24 x 40 x 32 voxels; with 4 x 1 x 1 mm the coronal and sagittal panels are 96 mm tall,
    // taller than the 40 mm axial panel, and the whole figure stays within 500 px
    Cli.Run r = explain(npy, "--spacing", "4,1,1", "--figure-size", "500");
    assertEquals(0, r.exit(), r.toString());
    BufferedImage img = ImageIO.read(tmp.resolve("out/overlay.png").toFile());
    assertTrue(Math.max(img.getWidth(), img.getHeight()) <= 500,
        img.getWidth() + "x" + img.getHeight());
    assertTrue(img.getHeight() > 300, "96 mm panels of at least 256 px: " + img.getHeight());
    BufferedImage montage = ImageIO.read(tmp.resolve("out/montage.png").toFile());
    assertTrue(Math.max(montage.getWidth(), montage.getHeight()) <= 500);
  }

  @Test
  void badPictureOptionValuesExitWith2() {
    for (String[] bad : new String[][] {{"--contour", "sometimes"}, {"--figure-size", "10"},
        {"--figure-size", "big"}, {"--spacing", "1,0,1"}, {"--spacing", "1"}}) {
      Cli.Run r = explain(npy, bad);
      assertEquals(2, r.exit(), String.join(" ", bad) + "\n" + r);
      assertTrue(r.err().contains(bad[0]), r.err());
      assertFalse(Files.exists(tmp.resolve("out")));
    }
  }

  @Test
  void spacingIsRefusedForNiftiAndMustMatchTheAxes() {
    Cli.Run r = explain(nifti, "--spacing", "2,1,1");
    assertEquals(2, r.exit(), r.toString());
    assertEquals("error: --spacing is for .npy inputs; NIfTI, NRRD, MetaImage and DICOM inputs carry their own voxel size",
        r.err().lines().findFirst().orElse(""));
    Cli.Run r2 = explain(npy, "--spacing", "1,1");
    assertEquals(2, r2.exit(), r2.toString());
    assertEquals("error: --spacing gives 2 voxel sizes but the input has 3 spatial axes",
        r2.err().lines().findFirst().orElse(""));
    assertFalse(Files.exists(tmp.resolve("out")));
  }
}
