package gradcam3d.cli;

import static gradcam3d.testing.Tensors.maxAbs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.MethodsNext;
import gradcam3d.volume.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * shapley-cam and lrp through the real command line on every methods_next case (pytorch-grad-cam's
 * ShapleyCAM, zennit's composites): the written maps against the references, summary.json's
 * parameters and conservation; the options' help, their bad values, and the other commands.
 */
class LrpShapleyCliTest {
  @TempDir
  Path tmp;

  static Stream<MethodsNext.Case> cases() {
    return Stream.concat(MethodsNext.cases("shapley-cam").stream(), MethodsNext.cases("lrp").stream());
  }

  private static void assertClose(String what, FloatTensor ours, FloatTensor ref, double tolerance) {
    double err = MethodsNext.maxAbsDiff(ours, ref);
    assertTrue(err <= tolerance, what + ": max|diff| " + err + " > " + tolerance);
  }

  /** The explain command line of a case. */
  static List<String> args(MethodsNext.Case c, Path out) {
    List<String> a = new ArrayList<>(List.of("explain", "--model", c.model().toString(), "--input",
        (c.inputNifti() != null ? c.inputNifti() : c.inputNpy()).toString(), "--method", c.method(),
        "--target", c.targetSpec(), "--model-output", Integer.toString(c.modelOutput()), "--threads", "2",
        "--no-pictures", "--no-report", "--save-layer-cam", "--out", out.toString()));
    if (c.layer() != null) {
      a.addAll(List.of("--layer", c.layer()));
    }
    if (c.softmax()) {
      a.addAll(List.of("--score", "probabilities"));
    }
    if (c.method().equals("lrp")) {
      Map<String, Object> p = c.params();
      a.addAll(List.of("--composite", Map.of("EpsilonPlusFlat", "epsilon-plus-flat", "EpsilonGammaBox",
          "epsilon-gamma-box", "EpsilonAlpha2Beta1Flat", "epsilon-alpha2-beta1-flat").get((String) p.get("composite"))));
      if (!c.isSegmentation() && p.containsKey("low")) {
        // the reference's box spans the whole batch; ours defaults to each sample's range
        a.addAll(List.of("--lrp-low", p.get("low").toString(), "--lrp-high", p.get("high").toString()));
      }
      if (((String) p.get("seed")).startsWith("logits")) {
        a.addAll(List.of("--lrp-start", "logits"));
      }
    }
    return a;
  }

  @ParameterizedTest
  @MethodSource("cases")
  @SuppressWarnings("unchecked")
  void caseThroughTheCommandLine(MethodsNext.Case c) throws IOException {
    Path out = tmp.resolve("out");
    Cli.Run r = Cli.run(args(c, out).toArray(String[]::new));
    assertEquals(0, r.exit(), r.toString());
    Map<String, Object> s = (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
    assertEquals(c.method(), s.get("method"));
    if (c.method().equals("shapley-cam")) {
      FloatTensor refLayer = c.expected("cam_layer");
      assertClose("cam_layer", Npy.read(out.resolve("cam_layer.npy")), refLayer, 1e-3 * maxAbs(refLayer));
      assertClose("cam", Npy.read(out.resolve("cam.npy")), c.expected("cam"), 2e-3);
      return;
    }
    Map<String, Object> params = (Map<String, Object>) s.get("method_parameters");
    assertTrue(args(c, out).contains((String) params.get("composite")), params.toString());
    Map<String, Object> conservation = (Map<String, Object>) s.get("conservation");
    double start = ((Number) ((List<Object>) conservation.get("starting_relevance")).get(0)).doubleValue();
    Map<String, Object> place = ((List<Map<String, Object>>) conservation.get("places")).get(0);
    double arrived = ((Number) ((List<Object>) place.get("relevance_sum")).get(0)).doubleValue();
    double overStart = ((Number) ((List<Object>) place.get("over_starting")).get(0)).doubleValue();
    assertEquals(arrived / start, overStart, 1e-9 * Math.abs(overStart));
    if (c.layer() != null) {
      assertEquals(c.layer(), place.get("at"));
      FloatTensor ref = c.expected("relevance");
      FloatTensor relevance = Npy.read(out.resolve("relevance.npy"));
      assertClose("relevance", relevance, ref, 1e-3 * maxAbs(ref));
      assertClose("cam", Npy.read(out.resolve("cam.npy")), c.expected("cam"), 2e-3);
      assertEquals(c.number("relevance_sum") / c.number("seed_sum"), overStart, 1e-3 * Math.abs(overStart));
      return;
    }
    assertEquals("input", place.get("at"));
    FloatTensor attribution = Npy.read(out.resolve("attribution.npy"));
    FloatTensor ref = c.expected("attribution");
    assertArrayEquals(ref.shape(), attribution.shape());
    Path float64 = MethodsNext.ROOT.resolve("float64").resolve(c.name() + ".npy");
    if (Files.exists(float64)) {
      // zennit's float32 run is fragile here (LrpTest): held to the float64 reference
      FloatTensor f64 = Npy.read(float64);
      assertClose("attribution vs float64", attribution, f64, 1e-3 * maxAbs(f64));
    } else {
      assertClose("attribution", attribution, ref, 1e-3 * maxAbs(ref));
      // summed over the batch, as the manifest's ratio
      double sum = 0;
      double starting = 0;
      List<Object> sums = (List<Object>) place.get("relevance_sum");
      for (int b = 0; b < sums.size(); b++) {
        sum += ((Number) sums.get(b)).doubleValue();
        starting += ((Number) ((List<Object>) conservation.get("starting_relevance")).get(b)).doubleValue();
      }
      assertEquals(c.number("conservation_seed"), sum / starting, 1e-3 * Math.abs(c.number("conservation_seed")));
    }
    if (c.inputNifti() != null) {
      assertTrue(Files.exists(out.resolve("attribution.nii.gz")) && Files.exists(out.resolve("cam.nii.gz")));
    }
  }

  @Test
  void helpListsTheMethodsAndTheirOptions() {
    Cli.Run r = Cli.run("explain", "--help");
    assertEquals(0, r.exit(), r.toString());
    for (String s : List.of("shapley-cam", "lrp", "--composite", "epsilon-gamma-box", "--lrp-epsilon", "--lrp-gamma",
        "--lrp-low", "--lrp-high", "--lrp-norm", "--lrp-start", "conservation", "Hessian-vector product")) {
      assertTrue(r.out().contains(s), "help lacks " + s);
    }
  }

  @Test
  void badLrpOptionValuesExitWithTwo() {
    MethodsNext.Case c = MethodsNext.cases("lrp").get(0);
    String[] base = {"explain", "--model", c.model().toString(), "--input", c.inputNpy().toString(), "--method", "lrp",
        "--target", "2", "--no-pictures", "--out"};
    for (List<String> bad : List.of(List.of("--composite", "epsilon-minus"), List.of("--lrp-epsilon", "0"),
        List.of("--lrp-gamma", "-1"), List.of("--lrp-norm", "mean"), List.of("--lrp-start", "probabilities"),
        List.of("--lrp-low", "0"), List.of("--lrp-low", "2", "--lrp-high", "1"),
        List.of("--score", "probabilities"))) {
      List<String> a = new ArrayList<>(List.of(base));
      a.add(tmp.resolve("x").toString());
      a.addAll(bad);
      Cli.Run r = Cli.run(a.toArray(String[]::new));
      assertEquals(2, r.exit(), bad + ": " + r);
      assertEquals(1, r.err().strip().lines().filter(l -> l.startsWith("error")).count(), bad + ": " + r.err());
      assertTrue(!Files.exists(tmp.resolve("x")), bad.toString());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void compareEvaluateAndBatchTakeTheNewMethods() throws IOException {
    String model = "src/test/resources/fixtures/models/seed_unet3d.onnx";
    String npy = "src/test/resources/fixtures/inputs/seed_unet3d.npy";
    // compare: shapley-cam at the layer, lrp (input relevance: one row, layer "input") with this command line's composite
    Path cmp = tmp.resolve("cmp");
    Cli.Run c = Cli.run("compare", "--model", model, "--input", npy, "--target", "2", "--methods", "shapley-cam,lrp",
        "--layer", "down3", "--composite", "epsilon-gamma-box", "--steps", "3", "--random-seeds", "1", "--threads", "2",
        "--quiet", "--out", cmp.toString());
    assertEquals(0, c.exit(), c.toString());
    String csv = Files.readString(cmp.resolve("compare.csv"));
    assertTrue(csv.contains("\nshapley-cam,down3,") && csv.contains("\nlrp,input,"), csv);
    assertTrue(Files.exists(cmp.resolve("lrp_input/attribution.npy")));
    Map<String, Object> lrp = (Map<String, Object>) Json.parse(Files.readString(cmp.resolve("lrp_input/summary.json")));
    assertEquals("epsilon-gamma-box", ((Map<String, Object>) lrp.get("method_parameters")).get("composite"));
    // evaluate: the input relevance measured like any map
    Path ev = tmp.resolve("ev");
    Cli.Run e = Cli.run("evaluate", "--model", model, "--input", npy, "--target", "2", "--method", "lrp", "--steps", "3",
        "--random-seeds", "1", "--threads", "2", "--quiet", "--out", ev.toString());
    assertEquals(0, e.exit(), e.toString());
    Map<String, Object> es = (Map<String, Object>) Json.parse(Files.readString(ev.resolve("summary.json")));
    assertTrue(es.containsKey("metrics") && es.containsKey("conservation"), es.keySet().toString());
    assertTrue(Files.exists(ev.resolve("evaluate.json")) && Files.exists(ev.resolve("attribution.npy")));
    // batch with the report page
    Path in = Files.createDirectories(tmp.resolve("cases"));
    Files.copy(Path.of(npy), in.resolve("a.npy"));
    Path batch = tmp.resolve("batch");
    Cli.Run b = Cli.run("batch", "--model", model, "--inputs-dir", in.toString(), "--target", "2", "--method", "lrp",
        "--report", "--threads", "2", "--quiet", "--out", batch.toString());
    assertEquals(0, b.exit(), b.toString());
    assertTrue(Files.exists(batch.resolve("a/attribution.npy")) && Files.exists(batch.resolve("a/report.html")));
  }

  @Test
  @SuppressWarnings("unchecked")
  void lrpThroughSlidingWindows() throws IOException {
    Path root = Path.of("src/test/resources/fixtures/sliding");
    List<String> base = List.of("explain", "--model", root.resolve("models/seed_unet3d_sw.onnx").toString(), "--input",
        root.resolve("inputs/seed_unet3d_sw.npy").toString(), "--method", "lrp", "--composite", "epsilon-gamma-box",
        "--target", "2", "--window", "24,32,32", "--overlap", "0.25", "--threads", "1", "--no-pictures", "--no-report");
    List<String> noRange = new ArrayList<>(base);
    noRange.addAll(List.of("--out", tmp.resolve("a").toString()));
    Cli.Run r = Cli.run(noRange.toArray(String[]::new));
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("--lrp-low and --lrp-high"), r.err());
    List<String> ok = new ArrayList<>(base);
    ok.addAll(List.of("--lrp-low", "-1", "--lrp-high", "2", "--out", tmp.resolve("b").toString()));
    r = Cli.run(ok.toArray(String[]::new));
    assertEquals(0, r.exit(), r.toString());
    assertArrayEquals(new long[] {1, 1, 40, 56, 48}, Npy.read(tmp.resolve("b/attribution.npy")).shape());
    Map<String, Object> s = (Map<String, Object>) Json.parse(Files.readString(tmp.resolve("b/summary.json")));
    assertTrue(s.containsKey("sliding_window") && s.containsKey("conservation"), s.keySet().toString());
    assertTrue(Files.exists(tmp.resolve("b/segmentation.npy")));
  }
}
