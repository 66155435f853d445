package gradcam3d.cli;

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
      assertClose("cam_layer", Npy.read(out.resolve("cam_layer.npy")), refLayer, 1e-3 * refLayer.maxAbs());
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
      assertClose("relevance", relevance, ref, 1e-3 * ref.maxAbs());
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
      assertClose("attribution vs float64", attribution, f64, 1e-3 * f64.maxAbs());
    } else {
      assertClose("attribution", attribution, ref, 1e-3 * ref.maxAbs());
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
}
