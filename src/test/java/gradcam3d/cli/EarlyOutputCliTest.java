package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * explain --window writes segmentation.npy into its staging folder before the case is complete; a
 * case failing after that leaves neither a result nor the staging folder.
 */
class EarlyOutputCliTest {
  static final Path ROOT = Path.of("src/test/resources/fixtures/sliding");

  @TempDir
  Path tmp;

  @Test
  void aCaseFailingAfterTheSegmentationWasWrittenLeavesNoFolder() throws IOException {
    // an atlas of the wrong shape is found out after the windows ran, when the tables are made
    Path atlas = tmp.resolve("atlas.npy");
    Npy.write(FloatTensor.zeros(4, 4, 4), atlas);
    Path out = tmp.resolve("out");
    Cli.Run r = Cli.run("explain", "--model", ROOT.resolve("models/seed_unet3d_sw.onnx").toString(), "--input",
        ROOT.resolve("inputs/seed_unet3d_sw.nii.gz").toString(), "--layer", "up2", "--target", "2", "--window",
        "24,32,32", "--overlap", "0.25", "--threads", "2", "--atlas", atlas.toString(), "--out", out.toString());
    assertEquals(1, r.exit(), r.toString());
    String[] lines = r.err().strip().split("\n");
    String last = lines[lines.length - 1];
    assertTrue(last.contains("the atlas " + atlas) && last.contains("has shape"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
    assertFalse(Files.exists(out));
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of("atlas.npy"), s.map(p -> p.getFileName().toString()).toList(), "no staging folder left");
    }
  }
}
