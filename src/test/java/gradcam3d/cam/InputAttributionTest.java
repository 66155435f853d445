package gradcam3d.cam;

import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.methods.GuidedBackprop;
import gradcam3d.cam.methods.GuidedGradCam;
import gradcam3d.cam.methods.InputXGradient;
import gradcam3d.cam.methods.IntegratedGradients;
import gradcam3d.cam.methods.Saliency;
import gradcam3d.cam.methods.SmoothGrad;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.report.Json;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.Score;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The input-space methods against PyTorch references computed from their published definitions
 * (src/test/resources/attributions, generator in its tools/): saliency, input x gradient,
 * SmoothGrad (fed the reference's noise draws), integrated gradients (16 trapezoid points, zero
 * or blurred baseline), guided backpropagation (Relu: seed U-Net and classifier; LeakyRelu: nnU-Net-like) and
 * guided Grad-CAM.
 */
class InputAttributionTest {
  private static final Path ROOT = Path.of("src/test/resources");

  record Case(String name, Map<String, Object> spec) {
    @Override
    public String toString() {
      return name;
    }

    String string(String k) {
      return (String) spec.get(k);
    }

    FloatTensor input() {
      return Npy.read(ROOT.resolve(string("input")));
    }

    @SuppressWarnings("unchecked")
    FloatTensor reference(String method) {
      return Npy.read(ROOT.resolve("attributions").resolve(((Map<String, String>) spec.get("attributions")).get(method)));
    }

    @SuppressWarnings("unchecked")
    boolean has(String method) {
      return ((Map<String, String>) spec.get("attributions")).containsKey(method);
    }
  }

  @SuppressWarnings("unchecked")
  static List<Case> cases() throws Exception {
    Map<String, Object> m = (Map<String, Object>) Json.parse(Files.readString(ROOT.resolve("attributions/manifest.json")));
    return ((List<Map<String, Object>>) m.get("cases")).stream().map(c -> new Case((String) c.get("name"), c)).toList();
  }

  static Stream<Object[]> methodCases() throws Exception {
    return cases().stream().flatMap(c -> Stream.of("saliency", "input-x-gradient", "smoothgrad",
        "integrated-gradients", "guided-backprop", "guided-gradcam").filter(c::has).map(m -> new Object[] {c, m}));
  }

  private static CamMethod method(Case c, String name) throws Exception {
    switch (name) {
      case "saliency": return new Saliency();
      case "input-x-gradient": return new InputXGradient();
      case "guided-backprop": return new GuidedBackprop();
      case "guided-gradcam": return new GuidedGradCam();
      case "integrated-gradients": return new IntegratedGradients(((Number) c.spec().get("ig_steps")).intValue(),
          IntegratedGradients.Baseline.valueOf(c.string("ig_baseline").toUpperCase(java.util.Locale.ROOT)));
      case "smoothgrad": {
        FloatTensor z = Npy.read(ROOT.resolve("attributions").resolve(c.string("noise_draws")));
        int samples = ((Number) c.spec().get("samples")).intValue();
        double noise = ((Number) c.spec().get("noise")).doubleValue();
        return new SmoothGrad(samples, noise, (sample, copy, size) ->
            Arrays.copyOfRange(z.data(), (sample * samples + copy) * size, (sample * samples + copy + 1) * size));
      }
      default: throw new AssertionError(name);
    }
  }

  static Explanation explain(Case c, CamMethod m, int batchSize) {
    ModelProto model = ModelIO.read(ROOT.resolve(c.string("model")));
    List<LayerSpec> layers = m instanceof CamMethod.InputSpace a && a.camFactor() != null
        ? List.of(LayerSpec.named(c.string("guided_gradcam_layer"))) : List.of();
    Request r = new Request(layers, m, List.of(Target.parse(c.string("target"))), 0,
        Score.LOGITS, false, batchSize, Progress.NONE);
    try (Explainer ex = new Explainer(model, r, new RuntimeOptions(2))) {
      return ex.explain(Map.of("input", c.input()));
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("methodCases")
  void attributionMatchesPytorch(Case c, String name) throws Exception {
    CamMethod m = method(c, name);
    Explanation e = explain(c, m, 4);
    FloatTensor ref = c.reference(name);
    FloatTensor got = e.attribution().values();
    assertArrayEquals(ref.shape(), got.shape());
    double err = maxAbsDiff(got, ref);
    assertTrue(maxAbs(ref) > 0, "reference is all zero");
    assertTrue(err <= 1e-3 * maxAbs(ref), c + " " + name + ": max|diff| " + err + " of max|ref| " + maxAbs(ref));
    // the map reduces channels as the method says; cam is its ReLU, min-max per sample
    FloatTensor map = ((CamMethod.InputSpace) m).map(ref);
    assertTrue(maxAbsDiff(e.layers().get(0).camLayer(), map) <= 1e-3 * Math.max(1e-30, maxAbs(map)));
    float[] cam = e.cam().data();
    int per = cam.length / (int) e.cam().dim(0);
    for (int b = 0; b < e.cam().dim(0); b++) {
      float hi = 0;
      for (int i = 0; i < per; i++) {
        hi = Math.max(hi, cam[b * per + i]);
      }
      assertEquals(1f, hi, 1e-6, "cam of sample " + b + " is min-max normalised");
    }
  }

  /** The trapezoid rule's completeness gap shrinks as the steps grow, and equals PyTorch's. */
  @Test
  @SuppressWarnings("unchecked")
  void integratedGradientsCompletenessGapShrinks() throws Exception {
    Case c = cases().stream().filter(k -> k.name().equals("seed_unet3d")).findFirst().orElseThrow();
    Map<String, Number> ref = (Map<String, Number>) c.spec().get("ig_completeness_gap");
    double previous = Double.POSITIVE_INFINITY;
    for (int steps : new int[] {2, 4, 64}) {
      Explanation e = explain(c, new IntegratedGradients(steps, IntegratedGradients.Baseline.ZERO), 16);
      double gap = e.attribution().completenessGap()[0];
      assertEquals(ref.get(Integer.toString(steps)).doubleValue(), gap, 2e-3, steps + " steps");
      assertTrue(Math.abs(gap) < previous, steps + " steps: |gap| " + gap + " not below " + previous);
      previous = Math.abs(gap);
    }
    assertTrue(previous < 1e-3, "64 steps leave a gap of " + previous);
  }

  /** The same integral computed in batches of 3 and of 16 points. */
  @Test
  void batchingDoesNotChangeTheResult() throws Exception {
    Case c = cases().stream().filter(k -> k.name().equals("seed_unet3d")).findFirst().orElseThrow();
    IntegratedGradients ig = new IntegratedGradients(8, IntegratedGradients.Baseline.BLUR);
    FloatTensor a = explain(c, ig, 3).attribution().values();
    FloatTensor b = explain(c, ig, 16).attribution().values();
    assertTrue(maxAbsDiff(a, b) <= 1e-5 * maxAbs(a), "batched " + maxAbsDiff(a, b));
    assertNotNull(explain(c, ig, 16).attribution().completenessGap());
  }

  @Test
  void inputSpaceMethodsTakeNoLayer() {
    Gradcam3dException e = org.junit.jupiter.api.Assertions.assertThrows(Gradcam3dException.class,
        () -> new Request(List.of(LayerSpec.named("down3")), new Saliency(), List.of(Target.parse("1")), 0,
            Score.LOGITS, false, 4, Progress.NONE));
    assertEquals("saliency attributes to the model input; it takes no --layer", e.getMessage());
  }
}
