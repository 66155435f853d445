package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * --method occlusion through the real command line: both MONAI reference cases
 * (src/test/resources/methods_next; mean_patch against its documented replacement), the pass
 * count printed before the passes, the budget, bad option values, whole scans (--window), a
 * 2D classifier batch, and compare / evaluate / batch with their outputs.
 */
class OcclusionCliTest {
  private static final Path NEXT = Path.of("src/test/resources/methods_next");
  private static final String SEED = "src/test/resources/fixtures/models/seed_unet3d.onnx";
  private static final String SEED_NPY = "src/test/resources/fixtures/inputs/seed_unet3d.npy";
  private static final String SMALL = MetricsCliTest.MODEL;
  private static final String SMALL_NPY = MetricsCliTest.INPUT;

  @TempDir
  Path tmp;

  @SuppressWarnings("unchecked")
  static Map<String, Object> summary(Path out) throws IOException {
    return (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> occlusion(Path out) throws IOException {
    return (Map<String, Object>) summary(out).get("occlusion");
  }

  static double num(Object o) {
    return ((Number) o).doubleValue();
  }

  @ParameterizedTest
  @CsvSource({"gaussian, sensitivity", "mean_patch, sensitivity_replace"})
  void monaiCasesThroughTheCommandLine(String mode, String reference) throws IOException {
    Path out = tmp.resolve(mode);
    Cli.Run r = Cli.run("explain", "--model", SEED, "--input", SEED_NPY, "--method", "occlusion", "--occlusion-size",
        "8", "--occlusion-overlap", "0.5", "--occlusion-mode", mode, "--target", "2", "--batch-size", "8", "--threads",
        "2", "--no-pictures", "--no-report", "--out", out.toString());
    assertEquals(0, r.exit(), r.toString());
    // the pass count comes first, before any pass has run
    String first = r.err().lines().findFirst().orElse("");
    assertTrue(first.contains("315 windows of 8x8x8") && first.contains("316 forward passes") && first.endsWith(": 0/316"),
        r.err());
    Path ref = NEXT.resolve("cases/seed_unet3d__occlusion-" + mode + "/" + reference + ".npy");
    FloatTensor refSensitivity = Npy.read(ref);
    FloatTensor sensitivity = Npy.read(out.resolve("sensitivity.npy"));
    FloatTensor drop = Npy.read(out.resolve("attribution.npy"));
    assertArrayEquals(new long[] {1, 1, 24, 40, 32}, sensitivity.shape());
    assertArrayEquals(new long[] {1, 1, 24, 40, 32}, drop.shape());
    double t = -0.22989989817142487; // the manifest's target.value
    double max = 0;
    double diff = 0;
    for (int i = 0; i < drop.size(); i++) {
      double refDrop = t - refSensitivity.data()[i];
      max = Math.max(max, Math.abs(refDrop));
      diff = Math.max(diff, Math.abs(drop.data()[i] - refDrop));
      assertEquals(refSensitivity.data()[i], sensitivity.data()[i], 1e-3 * 0.03 + 2e-5, "sensitivity at " + i);
    }
    assertTrue(diff < 1e-3 * max, mode + ": drop error " + diff + " of max|drop| " + max);
    Map<String, Object> o = occlusion(out);
    assertEquals(315.0, num(o.get("windows")));
    assertEquals(316.0, num(o.get("forward_passes")));
    assertEquals(0.5, num(o.get("overlap")));
    assertEquals(mode, o.get("mode"));
    assertEquals(mode.equals("gaussian") ? "gaussian" : "constant", o.get("blend"));
    assertTrue(num(o.get("seconds")) > 0);
    assertTrue(r.out().contains("cost     occlusion: 316 forward passes"), r.out());
  }

  @Test
  void theBudgetChoosesTheOverlapAndTheCountIsPrintedFirst() throws IOException {
    Path out = tmp.resolve("budget");
    Cli.Run r = Cli.run("explain", "--model", SMALL, "--input", SMALL_NPY, "--method", "occlusion",
        "--occlusion-size", "8", "--occlusion-budget", "40", "--target", "1", "--threads", "2", "--no-pictures",
        "--no-report", "--out", out.toString());
    assertEquals(0, r.exit(), r.toString());
    // 16x24x20 with 8^3 windows: overlap 0 (step 8) gives 2x3x3 = 18 (+1) passes, 1/8 (step 7) and 1/4
    // (step 6) give 3x4x3 = 36 (+1), 3/8 (step 5) gives 3x5x4 = 60 (+1): the budget of 40 takes 1/4
    Map<String, Object> o = occlusion(out);
    assertEquals(0.25, num(o.get("overlap")), 1e-12);
    assertEquals(37.0, num(o.get("forward_passes")));
    assertEquals(40.0, num(o.get("budget")));
    assertTrue(r.err().lines().findFirst().orElse("").contains("37 forward passes"), r.err());
  }

  @Test
  void badOptionValuesExitWithTwoAndWriteNothing() {
    List<String[]> bad = List.of(
        new String[] {"--occlusion-size", "64"},
        new String[] {"--occlusion-size", "8,8"},
        new String[] {"--occlusion-size", "0"},
        new String[] {"--occlusion-size", "a"},
        new String[] {"--occlusion-overlap", "1"},
        new String[] {"--occlusion-overlap", "-0.1"},
        new String[] {"--occlusion-budget", "0"},
        new String[] {"--occlusion-size", "4", "--occlusion-budget", "5"},
        new String[] {"--occlusion-mode", "zeros"},
        new String[] {"--occlusion-overlap", "0.5", "--occlusion-budget", "100"});
    for (String[] b : bad) {
      Path out = tmp.resolve("bad");
      String[] args = concat(new String[] {"explain", "--model", SMALL, "--input", SMALL_NPY, "--method", "occlusion",
          "--target", "1", "--threads", "1", "--out", out.toString()}, b);
      Cli.Run r = Cli.run(args);
      assertEquals(2, r.exit(), String.join(" ", b) + "\n" + r);
      assertTrue(r.err().contains(b[0]) || r.err().contains(b[b.length - 2]), r.err());
      assertFalse(r.err().contains("\tat "), "no stack trace");
      assertFalse(Files.exists(out), "nothing written");
    }
    // 30720 one-voxel windows of the seed U-Net in one batch: about 11 MB per pass, refused before any pass
    Cli.Run memory = Cli.run("explain", "--model", SEED, "--input", SEED_NPY, "--method", "occlusion",
        "--occlusion-size", "1", "--batch-size", "100000", "--target", "2", "--out", tmp.resolve("m").toString());
    assertEquals(2, memory.exit(), memory.toString());
    assertTrue(memory.err().matches("(?s)error: --batch-size 30721 needs about \\d+\\.\\d GB .* use --batch-size \\d+ or less.*"),
        memory.err());
    assertFalse(Files.exists(tmp.resolve("m")));
    Cli.Run layer = Cli.run("explain", "--model", SMALL, "--input", SMALL_NPY, "--method", "occlusion", "--layer",
        "down", "--target", "1", "--out", tmp.resolve("l").toString());
    assertEquals("error: occlusion attributes to the model input; it takes no --layer",
        layer.err().strip().lines().findFirst().orElse(""));
  }

  @Test
  void aWholeScanThroughSlidingWindows() throws IOException {
    Path out = tmp.resolve("window");
    Cli.Run r = Cli.run("explain", "--model", SEED, "--input", SEED_NPY, "--method", "occlusion", "--occlusion-size",
        "12", "--occlusion-overlap", "0", "--window", "16,16,16", "--target", "2", "--threads", "2", "--no-pictures",
        "--no-report", "--out", out.toString());
    assertEquals(0, r.exit(), r.toString());
    assertArrayEquals(new long[] {1, 1, 24, 40, 32}, Npy.read(out.resolve("sensitivity.npy")).shape());
    assertArrayEquals(new long[] {1, 24, 40, 32}, Npy.read(out.resolve("segmentation.npy")).shape());
    Map<String, Object> s = summary(out);
    @SuppressWarnings("unchecked")
    Map<String, Object> sw = (Map<String, Object>) s.get("sliding_window");
    assertTrue(((String) sw.get("pass2_from")).startsWith("none (occlusion"), sw.toString());
    Map<String, Object> o = occlusion(out);
    assertEquals(24.0, num(o.get("windows")));
    assertTrue(((String) o.get("passes_are")).startsWith("model windows of 16x16x16"), o.toString());
    // each 12^3 box overlaps 1 to 3 of the model windows (step 8) per axis; the reached windows are scored once more
    double passes = num(o.get("forward_passes"));
    assertTrue(passes >= 24 + 24 && passes < 24 + 24 * 27, "passes " + passes);
  }

  @Test
  void aReorientedScanGetsSensitivityBackOnItsOwnGrid() throws IOException {
    Path out = tmp.resolve("orient");
    // the file is LPS; PIL permutes and flips the axes the model sees
    Cli.Run r = Cli.run("explain", "--model", SEED, "--input", "src/test/resources/fixtures/inputs/seed_unet3d.nii.gz",
        "--orient", "PIL", "--method", "occlusion", "--occlusion-size", "12", "--occlusion-overlap", "0", "--target",
        "2", "--threads", "2", "--no-pictures", "--no-report", "--out", out.toString());
    assertEquals(0, r.exit(), r.toString());
    FloatTensor drop = Npy.read(out.resolve("attribution.npy"));
    FloatTensor sens = Npy.read(out.resolve("sensitivity.npy"));
    assertArrayEquals(new long[] {1, 1, 24, 40, 32}, drop.shape(), "the scan's grid");
    assertArrayEquals(drop.shape(), sens.shape());
    @SuppressWarnings("unchecked")
    double t = num(((List<Map<String, Object>>) summary(out).get("targets")).get(0).get("value"));
    for (int v = 0; v < drop.size(); v++) {
      assertEquals(t, drop.data()[v] + sens.data()[v], 1e-4 * Math.max(1, Math.abs(t)), "voxel " + v);
    }
  }

  @Test
  void aBatchOfTwo2dClassifierSamples() throws IOException {
    Path out = tmp.resolve("cls");
    Cli.Run r = Cli.run("explain", "--model", "src/test/resources/fixtures/models/cls2d.onnx", "--input",
        "src/test/resources/fixtures/inputs/cls2d.npy", "--method", "occlusion", "--occlusion-size", "8",
        "--occlusion-overlap", "0", "--occlusion-mode", "mean_img", "--threads", "2", "--no-pictures", "--no-report",
        "--out", out.toString());
    assertEquals(0, r.exit(), r.toString());
    FloatTensor drop = Npy.read(out.resolve("attribution.npy"));
    FloatTensor sens = Npy.read(out.resolve("sensitivity.npy"));
    assertArrayEquals(new long[] {2, 1, 32, 40}, drop.shape());
    assertArrayEquals(new long[] {2, 32, 40}, Npy.read(out.resolve("cam.npy")).shape());
    assertEquals(2 * (20 + 1), num(occlusion(out).get("forward_passes")));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> targets = (List<Map<String, Object>>) summary(out).get("targets");
    for (int b = 0; b < 2; b++) {
      double t = num(targets.get(b).get("value"));
      for (int v = b * 32 * 40; v < (b + 1) * 32 * 40; v++) {
        assertEquals(t, drop.data()[v] + sens.data()[v], 1e-4 * Math.max(1, Math.abs(t)), "sample " + b);
      }
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void compareEvaluateAndBatch() throws IOException {
    String[] occlusion = {"--occlusion-size", "8", "--occlusion-overlap", "0", "--occlusion-mode", "0"};
    Path cmp = tmp.resolve("cmp");
    Cli.Run c = Cli.run(concat(new String[] {"compare", "--model", SMALL, "--input", SMALL_NPY, "--target", "1",
        "--methods", "gradcam,occlusion", "--layer", "down", "--steps", "4", "--random-seeds", "0", "--threads", "2",
        "-q", "--out", cmp.toString()}, occlusion));
    assertEquals(0, c.exit(), c.toString());
    List<String> csv = Files.readAllLines(cmp.resolve("compare.csv"));
    assertEquals(3, csv.size(), String.join("\n", csv));
    assertTrue(csv.stream().anyMatch(l -> l.startsWith("occlusion,input,")), String.join("\n", csv));
    assertTrue(csv.stream().anyMatch(l -> l.startsWith("gradcam,down,")), String.join("\n", csv));
    Path folder = cmp.resolve(CompareCommand.folder("occlusion", "input"));
    assertTrue(Files.exists(folder.resolve("sensitivity.npy")));
    assertEquals("0.0", occlusion(folder).get("mode"), "compare applies the occlusion options");

    Path eval = tmp.resolve("eval");
    Cli.Run e = Cli.run(concat(new String[] {"evaluate", "--model", SMALL, "--input", SMALL_NPY, "--method",
        "occlusion", "--target", "1", "--steps", "4", "--random-seeds", "0", "--threads", "2", "-q", "--out",
        eval.toString()}, occlusion));
    assertEquals(0, e.exit(), e.toString());
    assertTrue(Files.exists(eval.resolve("evaluate.json")));
    assertTrue(summary(eval).containsKey("metrics") && summary(eval).containsKey("occlusion"));

    Path scans = Files.createDirectories(tmp.resolve("scans"));
    Files.copy(Path.of(SMALL_NPY), scans.resolve("a.npy"));
    Files.copy(Path.of(SMALL_NPY), scans.resolve("b.npy"));
    Path batch = tmp.resolve("batch");
    Cli.Run b = Cli.run(concat(new String[] {"batch", "--model", SMALL, "--inputs-dir", scans.toString(), "--method",
        "occlusion", "--target", "1", "--threads", "2", "--report", "-q", "--out", batch.toString()}, occlusion));
    assertEquals(0, b.exit(), b.toString());
    for (String k : List.of("a", "b")) {
      assertTrue(Files.exists(batch.resolve(k).resolve("sensitivity.npy")), k);
      assertTrue(Files.exists(batch.resolve(k).resolve("report.html")), k);
    }
    assertArrayEquals(Files.readAllBytes(batch.resolve("a/attribution.npy")),
        Files.readAllBytes(batch.resolve("b/attribution.npy")), "the same scan gives the same map");
    assertTrue(Files.exists(batch.resolve("index.html")));
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
