package gradcam3d.cam;

import gradcam3d.cam.methods.CamMethods;

import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.Score;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.MethodsNext;
import gradcam3d.volume.Npy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The methods_next cases of fem, kpca-cam, seg-eigen-cam, finer-cam, fullgrad and refine-cam
 * through the Java API, against pytorch-grad-cam's (float32 PyTorch) references within the
 * manifest's tolerances: maps at layer resolution 1e-3 x max|ref| (the eigen and KPCA maps
 * after the sign rule 2e-3 x max|ref|), final maps 2e-3.
 */
class MethodsNextCamTest {
  static final Set<String> METHODS = Set.of("fem", "kpca-cam", "seg-eigen-cam", "finer-cam", "fullgrad", "refine-cam");

  static Stream<MethodsNext.Case> cases() {
    return MethodsNext.cases(METHODS).stream();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void mapsMatchPytorch(MethodsNext.Case c) {
    FloatTensor x = Npy.read(c.inputNpy());
    Request req = new Request(LayerSpec.names(c.layers()), CamMethods.byName(c.method()),
        List.of(Target.parse(c.targetSpec())), c.modelOutput(), Score.LOGITS, true, 2, Progress.NONE);
    try (Explainer ex = new Explainer(ModelIO.read(c.model()), req, new RuntimeOptions(2))) {
      Explanation e = ex.explain(Map.of("input", x));
      double camErr = maxAbsDiff(e.cam(), c.expected("cam"));
      System.out.printf("%-45s cam %.2e%n", c.name(), camErr);
      assertTrue(camErr <= 2e-3, c + ": cam max|diff| " + camErr);
      double layerTolerance = c.method().equals("kpca-cam") || c.method().equals("seg-eigen-cam") ? 2e-3 : 1e-3;
      if (c.method().equals("refine-cam")) {
        for (int i = 0; i < c.layers().size(); i++) {
          String l = c.layers().get(i);
          assertClose(c + " cam_layer_" + l, e.layers().get(i).camLayer(), c.expected("cam_layer_" + l), 1e-3);
          double err = maxAbsDiff(e.layers().get(i).cam(), c.expected("cam_" + l));
          assertTrue(err <= 2e-3, c + ": cam_" + l + " max|diff| " + err);
        }
      } else if (c.expected("cam_layer") != null) {
        assertClose(c + " cam_layer", e.layers().get(0).camLayer(), c.expected("cam_layer"), layerTolerance);
      }
      if (c.expected("gradient") != null && c.layers().size() == 1) {
        assertClose(c + " gradient", e.layers().get(0).gradient(), c.expected("gradient"), 1e-3);
      }
      FloatTensor perSample = c.expected("target_per_sample");
      if (perSample != null) {
        assertClose(c + " target per sample", e.targetValues(), perSample, 1e-4);
      }
      if (c.method().equals("fullgrad")) {
        fullGradTerms(c, e);
      }
    }
  }

  /** Each term's sum over space [1 + terms, B], relative to the largest. */
  @SuppressWarnings("unchecked")
  private static void fullGradTerms(MethodsNext.Case c, Explanation e) {
    FloatTensor expected = c.expected("term_sums");
    List<List<Double>> sums = (List<List<Double>>) e.extras().summary().get("term_sums");
    List<Object> terms = (List<Object>) c.raw().get("terms");
    // Gemm terms (no spatial axes) contribute 0 and are not computed
    long spatialTerms = terms.stream().filter(t -> !"Gemm".equals(((Map<String, Object>) t).get("onnx_op"))).count();
    assertEquals(spatialTerms, sums.size(), c + ": terms " + e.extras().summary().get("terms"));
    int batch = (int) expected.dim(1);
    float max = maxAbs(expected);
    int row = 0;
    for (int k = 0; k < terms.size(); k++) {
      if ("Gemm".equals(((Map<String, Object>) terms.get(k)).get("onnx_op"))) {
        for (int b = 0; b < batch; b++) {
          assertEquals(0, expected.data()[k * batch + b], 1e-6, "a Gemm term is 0");
        }
        continue;
      }
      for (int b = 0; b < batch; b++) {
        double got = sums.get(row).get(b);
        double want = expected.data()[k * batch + b];
        assertTrue(Math.abs(got - want) <= 1e-3 * max, c + ": term " + k + " sample " + b + ": " + got + " vs " + want);
      }
      row++;
    }
  }

  static void assertClose(String what, FloatTensor got, FloatTensor want, double relative) {
    assertEquals(List.of(toList(want.shape())), List.of(toList(got.shape())), what + " shape");
    double err = maxAbsDiff(got, want);
    System.out.printf("  %-55s %.2e (max|ref| %.2e)%n", what, err, maxAbs(want));
    assertTrue(err <= relative * maxAbs(want), what + ": max|diff| " + err + ", max|ref| " + maxAbs(want));
  }

  private static List<Long> toList(long[] s) {
    return java.util.Arrays.stream(s).boxed().toList();
  }
}
