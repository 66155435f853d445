package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.NiftiHeader;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.NiftiWriter;
import gradcam3d.volume.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * batch --labels-dir: the Medical Segmentation Decathlon / nnU-Net layout. nnU-Net's channel files
 * case_0000 and case_0001 are one two-channel case (the nnU-Net-like fixture takes two channels),
 * matched to labelsTs/case.nii.gz; its map equals explain's on the same channels and label.
 */
class LabelsDirCliTest {
  private static final Path FIXTURES = Path.of("src/test/resources/fixtures");

  /** Channel c of the fixture input as NIfTI data (the tensor (Z, Y, X) is NIfTI (i, j, k) reversed). */
  private static void writeChannel(FloatTensor x, int c, Path file) {
    FloatTensor ch = x.slice0(0).slice0(c);
    long[] s = ch.shape();
    new NiftiWriter().write(new NiftiImage(file.toString(), new NiftiHeader().withShape(s[2], s[1], s[0]),
        ch.data()), file);
  }

  @Test
  void nnunetChannelFilesAreOneCaseWithItsLabel(@TempDir Path tmp) throws Exception {
    FloatTensor x = Npy.read(FIXTURES.resolve("inputs/nnunet_like3d.npy"));
    Path images = Files.createDirectories(tmp.resolve("imagesTs"));
    Path labels = Files.createDirectories(tmp.resolve("labelsTs"));
    writeChannel(x, 0, images.resolve("case_0000.nii.gz"));
    writeChannel(x, 1, images.resolve("case_0001.nii.gz"));
    // the label: class 1 in one corner block
    long[] s = x.slice0(0).slice0(0).shape();
    float[] label = new float[(int) (s[0] * s[1] * s[2])];
    for (int z = 0; z < s[0] / 2; z++) {
      for (int y = 0; y < s[1] / 2; y++) {
        for (int i = 0; i < s[2] / 2; i++) {
          label[(int) ((z * s[1] + y) * s[2] + i)] = 1;
        }
      }
    }
    new NiftiWriter().write(new NiftiImage("label", new NiftiHeader().withShape(s[2], s[1], s[0]), label),
        labels.resolve("case.nii.gz"));
    String model = FIXTURES.resolve("models/nnunet_like3d.onnx").toString();
    Cli.Run r = Cli.run("batch", "--model", model, "--inputs-dir", images.toString(), "--labels-dir", labels.toString(),
        "--layer", "encoder.2", "--target", "1", "--out", tmp.resolve("out").toString(), "--no-pictures");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("1 of 1 cases explained"), r.out());
    @SuppressWarnings("unchecked")
    Map<String, Object> summary = (Map<String, Object>) Json.parse(Files.readString(tmp.resolve("out/case/summary.json")));
    assertEquals(List.of(images.resolve("case_0000.nii.gz").toString(), images.resolve("case_0001.nii.gz").toString()),
        summary.get("inputs"));
    assertTrue(summary.get("label").toString().contains("labelsTs"), summary.toString());

    // the same as explain with the two channels and the label
    Cli.Run e = Cli.run("explain", "--model", model, "--input", images.resolve("case_0000.nii.gz").toString(),
        "--input", images.resolve("case_0001.nii.gz").toString(), "--label", labels.resolve("case.nii.gz").toString(),
        "--layer", "encoder.2", "--target", "1", "--out", tmp.resolve("one").toString(), "--no-pictures", "--no-report");
    assertEquals(0, e.exit(), e.toString());
    assertArrayEquals(Files.readAllBytes(tmp.resolve("one/cam.npy")), Files.readAllBytes(tmp.resolve("out/case/cam.npy")));
  }

  @Test
  void decathlonNamesMatchTheirLabelsAndAMissingLabelFailsItsCase(@TempDir Path tmp) throws Exception {
    Path demo = Path.of("src/main/resources/gradcam3d/demo");
    Path images = Files.createDirectories(tmp.resolve("imagesTs"));
    Path labels = Files.createDirectories(tmp.resolve("labelsTs"));
    Files.copy(demo.resolve("demo_case1.nii.gz"), images.resolve("sphere_001.nii.gz"));
    Files.copy(demo.resolve("demo_case2.nii.gz"), images.resolve("sphere_002.nii.gz"));
    Files.copy(demo.resolve("demo_case1_label.nii.gz"), labels.resolve("sphere_001.nii.gz"));
    Cli.Run r = Cli.run("batch", "--model", demo.resolve("demo_unet3d.onnx").toString(), "--inputs-dir",
        images.toString(), "--labels-dir", labels.toString(), "--layer", "up2", "--target", "1", "--out",
        tmp.resolve("out").toString(), "--no-pictures");
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("sphere_002") && r.err().contains("no label"), r.err());
    assertTrue(Files.exists(tmp.resolve("out/sphere_001/summary.json")));
    @SuppressWarnings("unchecked")
    Map<String, Object> summary = (Map<String, Object>) Json.parse(
        Files.readString(tmp.resolve("out/sphere_001/summary.json")));
    assertTrue(((Map<?, ?>) summary.get("label")).get("cam_mass_inside_label") instanceof Number);
  }
}
