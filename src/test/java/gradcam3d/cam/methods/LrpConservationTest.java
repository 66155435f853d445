package gradcam3d.cam.methods;

import static gradcam3d.onnx.Attributes.of;
import static gradcam3d.testing.Tensors.maxAbs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.autodiff.LrpRules;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Request;
import gradcam3d.cam.Target;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.Score;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.MethodsNext;
import gradcam3d.testing.OpGraph;
import gradcam3d.testing.OpGraph.Values;
import gradcam3d.volume.Npy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Relevance conservation, the defining property of LRP: on networks without biases every rule
 * here passes on all the relevance it gets (up to its stabiliser), so the input relevance sums to
 * the starting relevance; the two rules for InstanceNormalization conserve it (identity) or send
 * each channel to a zero sum (the plain gradient, as zennit). And batches without cross-talk.
 */
class LrpConservationTest {
  private static double conservation(ModelProto model, FloatTensor x, LrpRules rules, String target) {
    Request req = new Request(List.of(), new Lrp(rules), List.of(Target.parse(target)), 0,
        Score.LOGITS, false, 4, Progress.NONE);
    try (Explainer ex = new Explainer(model, req, new RuntimeOptions(1))) {
      Explanation e = ex.explain(Map.of("input", x));
      Explanation.Relevance r = e.relevance();
      double sum = 0;
      for (float v : e.attribution().values().data()) {
        sum += v;
      }
      assertEquals(sum, r.arrived()[0][0], 1e-9 * Math.abs(sum) + 1e-12, "the reported sum is the attribution's");
      return r.ofStarting(0, 0);
    }
  }

  private static LrpRules rules(LrpRules.Composite c, double epsilon, LrpRules.NormRule norm) {
    return new LrpRules(c, epsilon, 0.25, null, null, norm, LrpRules.Start.SEED);
  }

  @Test
  void epsilonRuleOnABiasFreeDenseNetworkConservesRelevance() {
    // Flatten -> Gemm -> Relu -> Gemm -> Relu -> Gemm, no biases: the epsilon rule at every layer
    OpGraph g = new OpGraph(17, 401);
    String x = g.input("input", 1, 3, 4, 4);
    String f = g.node("Flatten", List.of(x));
    String h1 = g.node("Relu", List.of(g.node("Gemm", List.of(f, g.constant(20, 48)), of("transB", 1L))));
    String h2 = g.node("Relu", List.of(g.node("Gemm", List.of(h1, g.constant(12, 20)), of("transB", 1L))));
    g.output(g.node("Gemm", List.of(h2, g.constant(5, 12)), of("transB", 1L)));
    double ratio = conservation(g.model(), g.inputs().get("input"),
        rules(LrpRules.Composite.EPSILON_PLUS, 1e-9, LrpRules.NormRule.IDENTITY), "argmax");
    System.out.printf("epsilon, bias-free dense network: input relevance / seed = %.9f%n", ratio);
    assertEquals(1.0, ratio, 1e-5);
  }

  /** Conv -> Relu -> MaxPool -> Conv -> Relu -> GlobalAveragePool -> Flatten -> Gemm, no biases. */
  private static OpGraph biasFreeConvNet() {
    OpGraph g = new OpGraph(17, 402);
    String x = g.input("input", 1, 2, 8, 8, 6);
    String c1 = g.node("Relu", List.of(g.node("Conv", List.of(x, g.constant(4, 2, 3, 3, 3)),
        of("pads", OpGraph.filled(6, 1)))));
    String p = g.node("MaxPool", List.of(c1), of("kernel_shape", OpGraph.filled(3, 2)), of("strides", OpGraph.filled(3, 2)));
    String c2 = g.node("Relu", List.of(g.node("Conv", List.of(p, g.constant(6, 4, 3, 3, 3)), of("pads", OpGraph.filled(6, 1)))));
    String pooled = g.node("Flatten", List.of(g.node("GlobalAveragePool", List.of(c2))));
    g.output(g.node("Gemm", List.of(pooled, g.constant(3, 6)), of("transB", 1L)));
    return g;
  }

  @ParameterizedTest
  @EnumSource(LrpRules.Composite.class)
  void everyCompositeConservesRelevanceWithoutBiases(LrpRules.Composite composite) {
    OpGraph g = biasFreeConvNet();
    double ratio = conservation(g.model(), g.inputs().get("input"),
        rules(composite, 1e-9, LrpRules.NormRule.IDENTITY), "argmax");
    System.out.printf("%-28s bias-free conv network: input relevance / seed = %.9f%n", composite.cliName(), ratio);
    assertEquals(1.0, ratio, 1e-5);
  }

  /** Conv -> InstanceNorm -> Relu -> Conv (to 2 classes), no biases: a segmentation network. */
  private static OpGraph instanceNormNet() {
    OpGraph g = new OpGraph(17, 403);
    String x = g.input("input", 1, 1, 8, 10, 8);
    String c1 = g.node("Conv", List.of(x, g.constant(4, 1, 3, 3, 3)), of("pads", OpGraph.filled(6, 1)));
    String n = g.node("InstanceNormalization", List.of(c1, g.floats(1, 1, 1, 1), g.floats(0, 0, 0, 0)));
    String r = g.node("Relu", List.of(n));
    g.output(g.node("Conv", List.of(r, g.constant(2, 4, 3, 3, 3)), of("pads", OpGraph.filled(6, 1))));
    return g;
  }

  @Test
  void identityThroughInstanceNormConservesAndTheGradientSendsEachChannelToZero() {
    OpGraph g = instanceNormNet();
    FloatTensor x = g.inputs().get("input");
    double identity = conservation(g.model(), x, rules(LrpRules.Composite.EPSILON_PLUS, 1e-6, LrpRules.NormRule.IDENTITY),
        "1:all");
    double gradient = conservation(g.model(), x, rules(LrpRules.Composite.EPSILON_PLUS, 1e-6, LrpRules.NormRule.GRADIENT),
        "1:all");
    System.out.printf("InstanceNorm net: identity %.9f, gradient %.3e%n", identity, gradient);
    assertEquals(1.0, identity, 1e-5);
    assertEquals(0.0, gradient, 1e-4);
  }

  @Test
  void aBatchExplainsEachSampleAsAloneWithItsOwnBoxRange() {
    // the box rule's default bounds are each sample's own minimum and maximum
    ModelProto model = ModelIO.read(Path.of("src/test/resources/fixtures/models/cls2d.onnx"));
    FloatTensor batch = Npy.read(Path.of("src/test/resources/fixtures/inputs/cls2d.npy"));
    Lrp lrp = new Lrp(LrpRules.of(LrpRules.Composite.EPSILON_GAMMA_BOX));
    Request req = new Request(List.of(), lrp, List.of(Target.parse("argmax")), 0,
        Score.LOGITS, false, 4, Progress.NONE);
    try (Explainer ex = new Explainer(model, req, new RuntimeOptions(1))) {
      FloatTensor both = ex.explain(Map.of("input", batch)).attribution().values();
      for (int b = 0; b < 2; b++) {
        long[] one = batch.shape().clone();
        one[0] = 1;
        FloatTensor alone = ex.explain(Map.of("input", batch.slice0(b).reshape(one))).attribution().values();
        double err = MethodsNext.maxAbsDiff(both.slice0(b), alone);
        assertTrue(err <= 1e-6 * maxAbs(alone), "sample " + b + ": " + err + " (max " + maxAbs(alone) + ")");
      }
    }
  }

  /**
   * A MONAI ResidualUnit without biases: the shortcut conv comes first in the graph (PyTorch runs
   * it first) but is registered after the main path, so the main path's first conv is the first
   * layer; the Add of the two paths splits relevance in proportion (Norm), so it is conserved.
   * (Gamma and ZBox here: ZPlus drops an output's relevance wherever its inputs' signs all
   * disagree with their weights', z = 0, common for the mixed-sign sum of three channels.)
   */
  @Test
  void residualUnitSumsConserveAndTheShortcutIsNotTheFirstLayer() {
    OpGraph g = new OpGraph(17, 404);
    String x = g.input("input", 1, 1, 6, 8, 6);
    long[] pads = OpGraph.filled(6, 1);
    String shortcut = g.node("Conv", List.of(x, g.constant(3, 1, 3, 3, 3)), of("pads", pads));
    String c1 = g.node("Conv", List.of(x, g.constant(3, 1, 3, 3, 3)), of("pads", pads));
    String a1 = g.node("PRelu", List.of(g.node("InstanceNormalization", List.of(c1, g.floats(1, 1, 1), g.floats(0, 0, 0))),
        g.constant(Values.positive(g.rng(), new long[] {3, 1, 1, 1}))));
    String c2 = g.node("Conv", List.of(a1, g.constant(3, 3, 3, 3, 3)), of("pads", pads));
    String sum = g.node("Add", List.of(c2, shortcut));
    g.output(g.node("Conv", List.of(sum, g.constant(2, 3, 1, 1, 1))));
    ModelProto model = g.model();
    gradcam3d.graph.Specialization sp = gradcam3d.graph.Specialization.of(gradcam3d.graph.Graph.fromModel(model),
        Map.of("input", g.inputs().get("input").shape()));
    for (LrpRules.Composite c : List.of(LrpRules.Composite.EPSILON_PLUS_FLAT, LrpRules.Composite.EPSILON_GAMMA_BOX)) {
      LrpRules.Bound bound = (LrpRules.Bound) LrpRules.of(c)
          .bind(new gradcam3d.graph.GraphBuilder(sp.graph(), sp.info(), "t/"));
      assertEquals(c1, bound.firstLayer().output(0), c + ": the main path's conv is the first layer, not the shortcut");
    }
    double ratio = conservation(model, g.inputs().get("input"),
        rules(LrpRules.Composite.EPSILON_GAMMA_BOX, 1e-9, LrpRules.NormRule.IDENTITY), "1:all");
    System.out.printf("residual unit: input relevance / seed = %.9f%n", ratio);
    assertEquals(1.0, ratio, 1e-5);
  }
}
