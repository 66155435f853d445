package gradcam3d.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A batch folder: the three bundled demo cases with their labels, and one truncated file. */
final class DemoScans {
  static final Path DEMO = Path.of("src/main/resources/gradcam3d/demo");
  static final Path MODEL = DEMO.resolve("demo_unet3d.onnx");

  private DemoScans() {}

  static Path withBrokenCase(Path dir) throws IOException {
    Path scans = Files.createDirectories(dir);
    for (int k = 1; k <= 3; k++) {
      Files.copy(DEMO.resolve("demo_case" + k + ".nii.gz"), scans.resolve("demo_case" + k + ".nii.gz"));
      Files.copy(DEMO.resolve("demo_case" + k + "_label.nii.gz"), scans.resolve("demo_case" + k + "_label.nii.gz"));
    }
    Files.write(scans.resolve("broken.nii.gz"), new byte[] {31, -117, 8, 0});
    Files.copy(DEMO.resolve("demo_case1_label.nii.gz"), scans.resolve("broken_label.nii.gz"));
    return scans;
  }
}
