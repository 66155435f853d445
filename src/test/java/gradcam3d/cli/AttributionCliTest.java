package gradcam3d.cli;

import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The input-space methods through the real command line: files, summary, option values. */
class AttributionCliTest {
  private static final String MODEL = "src/test/resources/fixtures/models/seed_unet3d.onnx";
  private static final String NIFTI = "src/test/resources/fixtures/inputs/seed_unet3d.nii.gz";
  private static final String NPY = "src/test/resources/fixtures/inputs/seed_unet3d.npy";

  @Test
  @SuppressWarnings("unchecked")
  void integratedGradientsWritesAttributionAndCompletenessGap(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("ig");
    Cli.Run r = Cli.run("explain", "--model", MODEL, "--input", NIFTI, "--method", "integrated-gradients",
        "--ig-steps", "64", "--target", "2", "--threads", "1", "--no-pictures", "--out", out.toString());
    assertEquals(0, r.exit(), r.toString());
    FloatTensor a = Npy.read(out.resolve("attribution.npy"));
    assertArrayEquals(new long[] {1, 1, 24, 40, 32}, a.shape());
    FloatTensor cam = Npy.read(out.resolve("cam.npy"));
    assertArrayEquals(new long[] {1, 24, 40, 32}, cam.shape());
    assertTrue(Files.exists(out.resolve("attribution.nii.gz")));
    assertTrue(Files.exists(out.resolve("cam.nii.gz")));
    Map<String, Object> s = (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
    assertEquals(64.0, ((Number) s.get("steps")).doubleValue());
    assertEquals("zero", s.get("baseline"));
    double gap = ((Number) ((List<Object>) s.get("completeness_gap")).get(0)).doubleValue();
    assertTrue(Math.abs(gap) < 1e-3, "64-point gap " + gap);
    assertFalse(s.containsKey("weights_ill_conditioned"));
    assertTrue(r.out().contains("completeness gap: " + String.format(java.util.Locale.ROOT, "%.3g", gap)), r.out());
  }

  @Test
  void smoothGradIsSeeded(@TempDir Path tmp) {
    String[] base = {"explain", "--model", MODEL, "--input", NPY, "--method", "smoothgrad", "--samples", "3",
        "--noise", "0.1", "--target", "2", "--threads", "1", "--no-pictures", "--out"};
    Cli.Run a = Cli.run(concat(base, tmp.resolve("a").toString(), "--seed", "7"));
    Cli.Run b = Cli.run(concat(base, tmp.resolve("b").toString(), "--seed", "7"));
    Cli.Run c = Cli.run(concat(base, tmp.resolve("c").toString(), "--seed", "8"));
    assertEquals(0, a.exit() + b.exit() + c.exit(), a + "\n" + c);
    FloatTensor ta = Npy.read(tmp.resolve("a/attribution.npy"));
    assertEquals(0f, maxAbsDiff(ta, Npy.read(tmp.resolve("b/attribution.npy"))));
    assertTrue(maxAbsDiff(ta, Npy.read(tmp.resolve("c/attribution.npy"))) > 0);
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void badValuesExitWithTwo(@TempDir Path tmp) {
    Cli.Run steps = Cli.run("explain", "--model", MODEL, "--input", NPY, "--method", "integrated-gradients",
        "--ig-steps", "1", "--target", "2", "--out", tmp.resolve("x").toString());
    assertEquals(2, steps.exit(), steps.toString());
    assertTrue(steps.err().contains("must be at least 2, not 1"), steps.err());
    Cli.Run noise = Cli.run("explain", "--model", MODEL, "--input", NPY, "--method", "smoothgrad",
        "--noise", "-1", "--target", "2", "--out", tmp.resolve("y").toString());
    assertEquals(2, noise.exit(), noise.toString());
    Cli.Run baseline = Cli.run("explain", "--model", MODEL, "--input", NPY, "--method", "integrated-gradients",
        "--ig-baseline", "mean", "--target", "2", "--out", tmp.resolve("z").toString());
    assertEquals(2, baseline.exit(), baseline.toString());
  }

  @Test
  void layerRulesAreOneLineErrors(@TempDir Path tmp) {
    Cli.Run withLayer = Cli.run("explain", "--model", MODEL, "--input", NPY, "--method", "saliency", "--layer",
        "down3", "--target", "2", "--out", tmp.resolve("a").toString());
    // bad option combinations: exit 2, the message and the --help hint
    assertEquals(2, withLayer.exit(), withLayer.toString());
    assertEquals("error: saliency attributes to the model input; it takes no --layer",
        withLayer.err().strip().lines().findFirst().orElseThrow());
    Cli.Run noLayer = Cli.run("explain", "--model", MODEL, "--input", NPY, "--method", "gradcam",
        "--target", "2", "--out", tmp.resolve("b").toString());
    assertEquals(2, noLayer.exit(), noLayer.toString());
    assertEquals("error: give at least one --layer", noLayer.err().strip().lines().findFirst().orElseThrow());
    assertFalse(Files.exists(tmp.resolve("a")) || Files.exists(tmp.resolve("b")));
  }
}
