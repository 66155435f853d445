package gradcam3d.cam.methods;

import static gradcam3d.onnx.Attributes.of;
import static gradcam3d.testing.Tensors.maxAbs;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.autodiff.LrpRules;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Request;
import gradcam3d.cam.Target;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.OrtProgram;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.Score;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.MethodsNext;
import gradcam3d.testing.OpGraph;
import gradcam3d.testing.OpGraph.Values;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * zennit's canonizers in ONNX terms: a BatchNormalization left after a Conv, ConvTranspose or Gemm
 * is merged into it (the same relevance as the network with the BatchNorm folded into the weights
 * by hand here), and a MatMul followed by a constant Add is a dense layer with that bias (the same
 * relevance as a Gemm).
 */
class LrpCanonizerTest {
  private static final Random RNG = new Random(501);

  private static FloatTensor attribution(ModelProto model, FloatTensor x, LrpRules rules, String target) {
    Request req = new Request(List.of(), new Lrp(rules), List.of(Target.parse(target)), 0,
        Score.LOGITS, false, 2, Progress.NONE);
    try (Explainer ex = new Explainer(model, req, new RuntimeOptions(1))) {
      return ex.explain(Map.of("input", x)).attribution().values();
    }
  }

  private static FloatTensor output(ModelProto model, FloatTensor x) {
    try (OrtProgram p = OrtProgram.create(model, new RuntimeOptions(1), "test model")) {
      String out = model.getGraph().getOutput(0).getName();
      return (FloatTensor) p.run(Map.of("input", x), List.of(out)).get(out);
    }
  }

  private static float[] values(long... shape) {
    return Values.uniform(RNG, shape, -1, 1).data();
  }

  /** BatchNorm parameters of c channels: scale, bias, mean, positive variance. */
  private record Norm(float[] scale, float[] bias, float[] mean, float[] var) {
    static Norm random(int c) {
      return new Norm(values(c), values(c), values(c), Values.positive(RNG, new long[] {c}).data());
    }

    double factor(int o) {
      return scale[o] / Math.sqrt(var[o] + 1e-5);
    }

    String node(OpGraph g, String x) {
      return g.node("BatchNormalization", List.of(x, g.constant(new FloatTensor(scale, scale.length)),
          g.constant(new FloatTensor(bias, bias.length)), g.constant(new FloatTensor(mean, mean.length)),
          g.constant(new FloatTensor(var, var.length))), of("epsilon", 1e-5f));
    }

    /** b' = (b - mean) s + beta. */
    float[] foldedBias(float[] b) {
      float[] out = new float[b.length];
      for (int o = 0; o < b.length; o++) {
        out[o] = (float) ((b[o] - mean[o]) * factor(o) + bias[o]);
      }
      return out;
    }
  }

  /** Weights scaled per output channel; {@code channelOf} maps a flat weight index to it. */
  private static float[] scaled(float[] w, Norm n, java.util.function.IntUnaryOperator channelOf) {
    float[] out = new float[w.length];
    for (int i = 0; i < w.length; i++) {
      out[i] = (float) (w[i] * n.factor(channelOf.applyAsInt(i)));
    }
    return out;
  }

  @Test
  void batchNormsAfterConvConvTransposeAndGemmAreMergedIntoThem() {
    float[] w1 = values(3, 2, 3, 3, 3);
    float[] b1 = values(3);
    float[] w2 = values(3, 4, 2, 2, 2);  // ConvTranspose [Cin, Cout, k...]
    float[] b2 = values(4);
    float[] w3 = values(5, 4);
    float[] b3 = values(5);
    Norm n1 = Norm.random(3);
    Norm n2 = Norm.random(4);
    Norm n3 = Norm.random(5);
    FloatTensor x = Values.awayFromZero(RNG, new long[] {1, 2, 4, 6, 4});
    ModelProto[] models = new ModelProto[2];
    for (int folded = 0; folded < 2; folded++) {
      OpGraph g = new OpGraph(17, 1);
      String in = g.input("input", x);
      boolean f = folded == 1;
      String c1 = g.node("Conv", List.of(in, g.constant(new FloatTensor(f ? scaled(w1, n1, i -> i / 54) : w1, 3, 2, 3, 3, 3)),
          g.constant(new FloatTensor(f ? n1.foldedBias(b1) : b1, 3))), of("pads", OpGraph.filled(6, 1)));
      String r1 = g.node("Relu", List.of(f ? c1 : n1.node(g, c1)));
      String c2 = g.node("ConvTranspose", List.of(r1, g.constant(new FloatTensor(f ? scaled(w2, n2, i -> (i / 8) % 4) : w2,
          3, 4, 2, 2, 2)), g.constant(new FloatTensor(f ? n2.foldedBias(b2) : b2, 4))), of("strides", OpGraph.filled(3, 2)));
      String r2 = g.node("Relu", List.of(f ? c2 : n2.node(g, c2)));
      String pooled = g.node("Flatten", List.of(g.node("GlobalAveragePool", List.of(r2))));
      String fc = g.node("Gemm", List.of(pooled, g.constant(new FloatTensor(f ? scaled(w3, n3, i -> i / 4) : w3, 5, 4)),
          g.constant(new FloatTensor(f ? n3.foldedBias(b3) : b3, 5))), of("transB", 1L));
      g.output(f ? fc : n3.node(g, fc));
      models[folded] = g.model();
    }
    double forward = MethodsNext.maxAbsDiff(output(models[0], x), output(models[1], x));
    assertTrue(forward < 1e-5, "the folding in the test is wrong: " + forward);
    for (LrpRules.Composite c : List.of(LrpRules.Composite.EPSILON_GAMMA_BOX, LrpRules.Composite.EPSILON_PLUS_FLAT)) {
      FloatTensor withNorms = attribution(models[0], x, LrpRules.of(c), "argmax");
      FloatTensor merged = attribution(models[1], x, LrpRules.of(c), "argmax");
      double err = MethodsNext.maxAbsDiff(withNorms, merged);
      System.out.printf("%s: BatchNorms merged vs folded by hand: %.3e (max %.3e)%n", c.cliName(), err, maxAbs(merged));
      assertTrue(maxAbs(merged) > 0 && err <= 1e-4 * maxAbs(merged), c + ": " + err);
    }
  }

  @Test
  void matMulWithABiasAddIsADenseLayer() {
    float[] w = values(6, 8);  // as Gemm transB: [N, K]
    float[] b = values(6);
    float[] wt = new float[w.length];  // as MatMul: [K, N]
    for (int n = 0; n < 6; n++) {
      for (int k = 0; k < 8; k++) {
        wt[k * 6 + n] = w[n * 8 + k];
      }
    }
    FloatTensor x = Values.awayFromZero(RNG, new long[] {2, 2, 2, 2});
    ModelProto[] models = new ModelProto[2];
    for (int gemm = 0; gemm < 2; gemm++) {
      OpGraph g = new OpGraph(17, 2);
      String flat = g.node("Relu", List.of(g.node("Flatten", List.of(g.input("input", x)))));
      String y = gemm == 1
          ? g.node("Gemm", List.of(flat, g.constant(new FloatTensor(w, 6, 8)), g.constant(new FloatTensor(b, 6))),
              of("transB", 1L))
          : g.node("Add", List.of(g.node("MatMul", List.of(flat, g.constant(new FloatTensor(wt, 8, 6)))),
              g.constant(new FloatTensor(b, 6))));
      g.output(y);
      models[gemm] = g.model();
    }
    LrpRules rules = LrpRules.of(LrpRules.Composite.EPSILON_PLUS);
    FloatTensor viaMatMul = attribution(models[0], x, rules, "argmax");
    FloatTensor viaGemm = attribution(models[1], x, rules, "argmax");
    double err = MethodsNext.maxAbsDiff(viaMatMul, viaGemm);
    assertTrue(maxAbs(viaGemm) > 0 && err <= 1e-5 * maxAbs(viaGemm), "MatMul + Add vs Gemm: " + err);
  }
}
