package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Long work reports progress: plain lines when stderr is not a terminal, nothing with --quiet. */
class ProgressCliTest {
  @TempDir
  Path tmp;

  private Cli.Run scorecam(boolean quiet) {
    String[] args = {"explain", "--model", Fixtures.ROOT.resolve("models/seed_unet3d.onnx").toString(), "--input",
        Fixtures.ROOT.resolve("inputs/seed_unet3d.npy").toString(), "--layer", "down3", "--target", "2",
        "--method", "scorecam", "--batch-size", "4", "--no-pictures", "--threads", "2", "--out",
        tmp.resolve(quiet ? "q" : "v").toString()};
    return Cli.run(quiet ? concat(args, "--quiet") : args);
  }

  private static String[] concat(String[] a, String b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + 1);
    r[a.length] = b;
    return r;
  }

  @Test
  void scoreCamReportsItsChannels() {
    Cli.Run r = scorecam(false);
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.err().contains("Score-CAM, layer 0, sample 0: 0/24"), r.err());
    assertTrue(r.err().contains("24/24 done"), r.err());
    assertTrue(r.out().contains("gradcam3d: scorecam at layer down3"), r.out());
    Cli.Run q = scorecam(true);
    assertEquals(0, q.exit(), q.toString());
    assertEquals("", q.err());
    assertEquals("", q.out());
  }
}
