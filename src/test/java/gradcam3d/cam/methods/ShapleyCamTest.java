package gradcam3d.cam.methods;

import static gradcam3d.onnx.Attributes.of;
import static gradcam3d.testing.Tensors.maxAbs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Request;
import gradcam3d.cam.Target;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.Score;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import gradcam3d.testing.MethodsNext;
import gradcam3d.testing.OpGraph;
import gradcam3d.volume.Npy;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Shapley-CAM against pytorch-grad-cam's ShapleyCAM (methods_next fixtures: activation, gradient,
 * the Hessian-vector product, weights, cam_layer, cam), the product exactly zero through a
 * piecewise-linear network with a logit target and non-zero (and equal to finite differences of
 * the gradient) through a sigmoid score, and a batch without cross-talk.
 */
class ShapleyCamTest {
  private static final String HVP = "test_hvp";

  static Stream<MethodsNext.Case> cases() {
    return MethodsNext.cases("shapley-cam").stream();
  }

  private static Request request(MethodsNext.Case c) {
    return Request.builder(LayerSpec.names(c.layer()), CamMethods.byName("shapley-cam"),
        Target.parse(c.targetSpec()))
        .modelOutput(c.modelOutput()).keepTensors(true)
        .score(c.softmax() ? Score.PROBABILITIES : Score.LOGITS).build();
  }

  /** H A of the case's layer straight from a program (the product Shapley-CAM's weights use). */
  private static FloatTensor hvp(ModelProto model, MethodsNext.Case c, FloatTensor x, Target target) {
    GradientEngine.Config cfg = GradientEngine.Config.builder(LayerSpec.names(c.layer())).modelOutput(c.modelOutput())
        .score(c.softmax() ? Score.PROBABILITIES : Score.LOGITS)
        .extension(p -> {
          p.builder().opNamed("Identity", List.of(p.hessianTimesActivation(0)), List.of(HVP));
          p.addOutput(HVP);
        }).build();
    try (GradientEngine engine = new GradientEngine(model, cfg, new RuntimeOptions(2))) {
      long[] os = engine.outputShape(Map.of("input", x.shape()));
      return engine.run(Map.of("input", x), Target.seed(List.of(target), os)).floats(HVP);
    }
  }

  private static void assertClose(String what, FloatTensor ours, FloatTensor ref, double rel) {
    double err = MethodsNext.maxAbsDiff(ours, ref);
    System.out.printf("  %-10s max|diff| %.3e  max|ref| %.3e%n", what, err, maxAbs(ref));
    assertTrue(err <= rel * maxAbs(ref), what + ": max|diff| " + err + " > " + rel + " * " + maxAbs(ref));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void matchesPytorchGradCam(MethodsNext.Case c) {
    ModelProto model = ModelIO.read(c.model());
    FloatTensor x = Npy.read(c.inputNpy());
    System.out.println(c.name());
    try (Explainer ex = new Explainer(model, request(c), new RuntimeOptions(2))) {
      Explanation e = ex.explain(Map.of("input", x));
      Explanation.LayerMap l = e.layers().get(0);
      assertClose("activation", l.activation(), c.expected("activation"), 1e-3);
      assertClose("gradient", l.gradient(), c.expected("gradient"), 1e-3);
      assertClose("cam_layer", l.camLayer(), c.expected("cam_layer"), 1e-3);
      double camErr = MethodsNext.maxAbsDiff(e.cam(), c.expected("cam"));
      System.out.printf("  %-10s max|diff| %.3e%n", "cam", camErr);
      assertTrue(camErr <= 2e-3, "cam max|diff| " + camErr);
      assertEquals(c.targetValue(), e.targetValues().data()[0], 1e-4 * Math.abs(c.targetValue()));

      FloatTensor hvp = hvp(model, c, x, Target.parse(c.targetSpec()));
      FloatTensor refHvp = c.expected("hvp");
      if (maxAbs(refHvp) == 0) {
        // ReLU/MaxPool/linear-Upsample network and a logit target: no second-order path at all
        assertEquals(0.0, maxAbs(hvp), "H A must be exactly zero");
      } else {
        assertClose("hvp", hvp, refHvp, 1e-3);
      }
      // weights = mean over space of (G - 0.5 H A), from our G and H A
      FloatTensor w = spaceMean(l.gradient(), hvp);
      assertClose("weights", w, c.expected("weights"), 1e-3);
    }
  }

  /** mean_space(G - 0.5 H) [B, C]. */
  private static FloatTensor spaceMean(FloatTensor g, FloatTensor h) {
    long[] s = g.shape();
    int bc = (int) (s[0] * s[1]);
    int voxels = (int) Shapes.numel(Arrays.copyOfRange(s, 2, s.length));
    float[] out = new float[bc];
    for (int i = 0; i < bc; i++) {
      double sum = 0;
      for (int v = 0; v < voxels; v++) {
        sum += g.data()[i * voxels + v] - 0.5 * h.data()[i * voxels + v];
      }
      out[i] = (float) (sum / voxels);
    }
    return new FloatTensor(out, s[0], s[1]);
  }

  /** Conv -> Relu (the layer) -> Conv to one channel: piecewise linear in the layer. */
  private record Net(OpGraph graph, String layer) {}

  private static Net oneChannelNet() {
    OpGraph g = new OpGraph(17, 301);
    String x = g.input("input", 1, 2, 6, 8, 6);
    String c = g.node("Conv", List.of(x, g.constant(4, 2, 3, 3, 3), g.constant(4)), of("pads", OpGraph.filled(6, 1)));
    String r = g.node("Relu", List.of(c));
    g.output(g.node("Conv", List.of(r, g.constant(1, 4, 3, 3, 3), g.constant(1)), of("pads", OpGraph.filled(6, 1))));
    return new Net(g, r);
  }

  @Test
  void sigmoidScoreMakesTheProductNonZeroAndItEqualsFiniteDifferencesOfTheGradient() {
    Net net = oneChannelNet();
    ModelProto model = net.graph().model();
    FloatTensor x = net.graph().inputs().get("input");
    String layer = net.layer();
    Target all = Target.parse("0:all");
    // logits: piecewise linear, H A exactly 0 and Shapley-CAM is Grad-CAM
    try (Explainer s = new Explainer(model, Request.of(LayerSpec.names(layer),
            CamMethods.byName("shapley-cam"), all), new RuntimeOptions(1));
        Explainer g = new Explainer(model, Request.of(LayerSpec.names(layer),
            CamMethods.byName("gradcam"), all), new RuntimeOptions(1))) {
      assertEquals(0.0, MethodsNext.maxAbsDiff(s.explain(Map.of("input", x)).cam(), g.explain(Map.of("input", x)).cam()));
    }
    // sigmoid of the one channel: H A = d/dA (G . A) is not zero; check it against
    // (G(A + hA) - G(A - hA)) / 2h, G from a program fed the layer's activation
    GradientEngine.Config probabilities = GradientEngine.Config.builder(LayerSpec.names(layer))
        .score(Score.PROBABILITIES).build();
    GradientEngine.Config withHvp = probabilities.toBuilder().extension(p -> {
      GraphBuilder b = p.builder();
      b.opNamed("Identity", List.of(p.hessianTimesActivation(0)), List.of(HVP));
      p.addOutput(HVP);
    }).build();
    RuntimeOptions one = new RuntimeOptions(1);
    try (GradientEngine full = new GradientEngine(model, withHvp, one);
        GradientEngine fromLayer = new GradientEngine(model, probabilities.toBuilder().fromLayer().build(), one)) {
      long[] os = full.outputShape(Map.of("input", x.shape()));
      GradientEngine.Seed seed = Target.seed(List.of(all), os);
      GradientEngine.Result r = full.run(Map.of("input", x), seed);
      FloatTensor a = r.activation(0);
      FloatTensor hvp = r.floats(HVP);
      assertTrue(maxAbs(hvp) > 1e-3 * maxAbs(r.gradient(0)), "H A is " + maxAbs(hvp));
      double h = 1e-2;
      Map<String, long[]> shapes = Map.of("input", x.shape());
      FloatTensor gp = fromLayer.run(shapes, Map.of(layer, scaled(a, 1 + h)), seed, false).gradient(0);
      FloatTensor gm = fromLayer.run(shapes, Map.of(layer, scaled(a, 1 - h)), seed, false).gradient(0);
      double err = 0;
      for (int i = 0; i < hvp.size(); i++) {
        err = Math.max(err, Math.abs(((double) gp.data()[i] - gm.data()[i]) / (2 * h) - hvp.data()[i]));
      }
      assertTrue(err <= 3e-3 * maxAbs(hvp), "H A vs finite differences: " + err + " (max|H A| " + maxAbs(hvp) + ")");
    }
  }

  private static FloatTensor scaled(FloatTensor a, double f) {
    float[] d = a.data().clone();
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) (d[i] * f);
    }
    return new FloatTensor(d, a.shape());
  }

  @Test
  void aBatchExplainsEachSampleAsAlone() {
    // nnU-Net-like (InstanceNorm: H A is not zero): two different samples in one batch
    MethodsNext.Case c = MethodsNext.cases("shapley-cam").stream()
        .filter(k -> k.name().equals("nnunet_like3d__encoder-2__shapley-cam")).findFirst().orElseThrow();
    ModelProto model = ModelIO.read(c.model());
    FloatTensor x0 = Npy.read(c.inputNpy());
    FloatTensor x1 = scaled(Npy.read(c.inputNpy()), -0.7);
    FloatTensor batch = FloatTensor.stack(List.of(x0.slice0(0), x1.slice0(0)));
    try (Explainer ex = new Explainer(model, request(c), new RuntimeOptions(2))) {
      Explanation both = ex.explain(Map.of("input", batch));
      for (int b = 0; b < 2; b++) {
        FloatTensor alone = ex.explain(Map.of("input", b == 0 ? x0 : x1)).layers().get(0).camLayer();
        FloatTensor inBatch = both.layers().get(0).camLayer().slice0(b);
        double err = MethodsNext.maxAbsDiff(inBatch, alone);
        assertTrue(err <= 1e-5 * maxAbs(alone), "sample " + b + ": " + err + " (max " + maxAbs(alone) + ")");
      }
    }
  }

  @Test
  void twoDimensionalClassifier() {
    // cls2d (ReLU, max-pool, global average pool, Gemm): with logits H A is exactly 0 and the map is
    // Grad-CAM's; softmax probabilities make it differ
    ModelProto model = ModelIO.read(java.nio.file.Path.of("src/test/resources/fixtures/models/cls2d.onnx"));
    FloatTensor x = Npy.read(java.nio.file.Path.of("src/test/resources/fixtures/inputs/cls2d.npy"));
    Target argmax = Target.parse("argmax");
    FloatTensor[] cams = new FloatTensor[4];
    int k = 0;
    for (Score score : Score.values()) {
      for (String method : List.of("shapley-cam", "gradcam")) {
        Request req = Request.builder(LayerSpec.names("features.8"), CamMethods.byName(method),
            argmax).score(score).build();
        try (Explainer ex = new Explainer(model, req, new RuntimeOptions(1))) {
          cams[k++] = ex.explain(Map.of("input", x)).layers().get(0).camLayer();
        }
      }
    }
    assertEquals(0.0, MethodsNext.maxAbsDiff(cams[0], cams[1]), "logits: shapley-cam is Grad-CAM");
    double d = MethodsNext.maxAbsDiff(cams[2], cams[3]);
    assertTrue(d > 1e-3 * maxAbs(cams[3]), "probabilities: the Hessian term changes the map (" + d + ")");
  }
}
