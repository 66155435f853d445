package gradcam3d.autodiff;

import static gradcam3d.onnx.Attributes.of;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.testing.GradCheck;
import gradcam3d.testing.HvpCheck;
import gradcam3d.testing.OpGraph;
import gradcam3d.testing.OpGraph.Values;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Second-order gradients (Shapley-CAM's Hessian-vector product): the compiled gradient graph of
 * each op differentiated a second time, against finite differences of the first-order gradient
 * ({@link HvpCheck}), in the direction of a random vector and of the input itself (held fixed).
 * Each graph routes the product through the rules of the ops the op's own gradient emits.
 */
class SecondOrderGradientTest {
  private static final double RTOL = 3e-3;

  @Test
  void everyOpAGradientRuleEmitsHasAGradientRuleItself() throws IOException {
    // the ops the backward sweep writes: literal op names in the rule tables and the builder helpers
    Pattern emitted = Pattern.compile("\\bop(?:Multi|Named)?\\(\"([A-Za-z]+)\"|reduce\\(\"([A-Za-z]+)\"");
    Set<String> ops = new TreeSet<>(List.of("ReduceSum", "ReduceMean"));
    try (Stream<Path> files = Files.list(Path.of("src/main/java/gradcam3d/autodiff"))) {
      for (Path f : files.filter(p -> p.toString().endsWith("Rules.java")).toList()) {
        Matcher m = emitted.matcher(Files.readString(f));
        while (m.find()) {
          ops.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
      }
    }
    Matcher m = emitted.matcher(Files.readString(Path.of("src/main/java/gradcam3d/graph/GraphBuilder.java")));
    while (m.find()) {
      ops.add(m.group(1) != null ? m.group(1) : m.group(2));
    }
    assertTrue(ops.size() > 40, "found only " + ops);
    Set<String> missing = new TreeSet<>(ops);
    missing.removeAll(VjpRules.supported());
    missing.removeAll(VjpRules.NON_DIFFERENTIABLE);
    assertTrue(missing.isEmpty(), "ops emitted by gradient rules without a gradient rule: " + missing);
  }

  @Nested
  class ScatterElementsFirstOrder {
    @ParameterizedTest
    @ValueSource(strings = {"none", "add"})
    void intoDataAndFromUpdates(String reduction) {
      OpGraph g = new OpGraph(18, reduction.hashCode());
      String x = g.input("x", 2, 3, 4);
      // along the last axis; added updates may repeat a position, replacing ones may not
      long[] positions = reduction.equals("add") ? new long[] {3, 0, 2, 1, 1, 0} : new long[] {3, 0, 2, 1, 2, 0};
      String idx = g.intTensor(positions, 2, 1, 3);
      String updates = g.node("Mul", List.of(g.node("Slice", List.of(x, g.ints(0, 0), g.ints(1, 3), g.ints(1, 2))),
          g.floats(1.5f)));
      g.output(g.node("Mul", List.of(g.node("ScatterElements", List.of(x, idx, updates), of("axis", 2L),
          of("reduction", reduction)), g.constant(2, 3, 4))));
      GradCheck.assertMatches(g, 2e-3);
    }
  }

  @Nested
  class Pointwise {
    @ParameterizedTest
    @ValueSource(strings = {"Sigmoid", "Tanh", "Softplus", "Erf", "Exp", "Sin", "Cos", "Softsign", "Mish"})
    void unary(String op) {
      OpGraph g = new OpGraph(18, op.hashCode());
      String x = g.input("x", 2, 3, 4, 5);
      g.output(g.node(op, List.of(x)));
      HvpCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Sqrt", "Log", "Reciprocal"})
    void unaryPositive(String op) {
      OpGraph g = new OpGraph(17, op.hashCode());
      String x = g.input("x", Values.positive(g.rng(), new long[] {2, 3, 4}));
      g.output(g.node(op, List.of(x)));
      HvpCheck.assertMatches(g, RTOL);
    }

    @Test
    void exponentialLinearUnitsCurveOnTheNegativeSide() {
      OpGraph g = new OpGraph(17, 200);
      String x = g.input("x", 1, 3, 4, 5);
      g.output(g.node("Sum", List.of(g.node("Elu", List.of(x), of("alpha", 0.7f)), g.node("Selu", List.of(x)),
          g.node("Celu", List.of(x), of("alpha", 1.3f)))));
      HvpCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "tanh"})
    void gelu(String approximate) {
      OpGraph g = new OpGraph(20, 201);
      String x = g.input("x", 2, 3, 4);
      g.output(g.node("Gelu", List.of(x), of("approximate", approximate)));
      HvpCheck.assertMatches(g, RTOL);
    }

    @Test
    void productsQuotientsAndPowers() {
      OpGraph g = new OpGraph(17, 202);
      String x = g.input("x", Values.positive(g.rng(), new long[] {2, 3, 4}));
      String sq = g.node("Mul", List.of(x, x));
      String q = g.node("Div", List.of(g.constant(2, 3, 4), x));
      String p = g.node("Pow", List.of(x, g.floats(3f)));
      String s = g.node("Sub", List.of(g.node("Add", List.of(sq, q)), g.node("Neg", List.of(p))));
      g.output(g.node("Mean", List.of(s, g.node("Abs", List.of(s)), x)));
      HvpCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Softmax", "LogSoftmax"})
    void softmax(String op) {
      OpGraph g = new OpGraph(17, op.hashCode());
      String x = g.input("x", 2, 4, 3, 5);
      g.output(g.node(op, List.of(x), of("axis", 1L)));
      HvpCheck.assertMatches(g, RTOL);
    }

    @Test
    void extremesAndClipOfACurvedInput() {
      // the values (-0.98, -0.93, ...) keep x^2 (1 +- 2%) inside or outside the clip range
      OpGraph g = new OpGraph(17, 203);
      String x = g.input("x", Values.distinct(g.rng(), new long[] {2, 3, 4}));
      String s = g.node("Tanh", List.of(x));
      String max = g.node("Max", List.of(s, g.node("Mul", List.of(x, g.floats(0.5f)))));
      String clip = g.node("Clip", List.of(g.node("Mul", List.of(x, x)), g.floats(0.1f), g.floats(0.65f)));
      g.output(g.node("Add", List.of(max, clip)));
      HvpCheck.assertMatches(g, RTOL);
    }

    @Test
    void piecewiseLinearHasExactlyZeroProduct() {
      OpGraph g = new OpGraph(17, 204);
      String x = g.input("x", 1, 2, 4, 6, 4);
      String c = g.node("Conv", List.of(x, g.constant(3, 2, 3, 3, 3), g.constant(3)), of("pads", OpGraph.filled(6, 1)));
      String r = g.node("Relu", List.of(c));
      String p = g.node("MaxPool", List.of(r), of("kernel_shape", OpGraph.filled(3, 2)), of("strides", OpGraph.filled(3, 2)));
      String u = g.node("Resize", List.of(p, "", g.floats(1, 1, 2, 2, 2)), of("mode", "linear"));
      String cat = g.node("Concat", List.of(u, r), of("axis", 1L));
      String l = g.node("LeakyRelu", List.of(cat), of("alpha", 0.1f));
      g.output(g.node("Conv", List.of(l, g.constant(2, 6, 1, 1, 1))));
      HvpCheck.assertExactlyZero(g);
    }
  }

  @Nested
  class Normalisation {
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void instanceNorm(int d) {
      OpGraph g = new OpGraph(17, 210 + d);
      String x = g.input("x", OpGraph.dataShape(1, d, 3, 4, 5, 3));
      g.output(g.node("InstanceNormalization", List.of(x, g.constant(3), g.constant(3)), of("epsilon", 1e-5f)));
      HvpCheck.assertMatches(g, 5e-3);
    }

    @Test
    void groupNormOpset18() {
      OpGraph g = new OpGraph(18, 214);
      String x = g.input("x", 2, 4, 3, 4, 3);
      g.output(g.node("GroupNormalization", List.of(x, g.constant(2), g.constant(2)), of("num_groups", 2L)));
      HvpCheck.assertMatches(g, 5e-3);
    }

    @Test
    void groupNormAsExportedByTorchScript() {
      OpGraph g = new OpGraph(17, 215);
      String x = g.input("x", 1, 4, 3, 4, 5);
      String r = g.node("Reshape", List.of(x, g.ints(1, 2, -1)));
      String n = g.node("InstanceNormalization", List.of(r, g.floats(1f, 1f), g.floats(0f, 0f)));
      String back = g.node("Reshape", List.of(n, g.ints(1, 4, 3, 4, 5)));
      g.output(g.node("Add", List.of(g.node("Mul", List.of(back, g.constant(4, 1, 1, 1))), g.constant(4, 1, 1, 1))));
      HvpCheck.assertMatches(g, 5e-3);
    }

    @Test
    void layerNorm() {
      OpGraph g = new OpGraph(17, 216);
      String x = g.input("x", 2, 3, 4, 5);
      g.output(g.node("LayerNormalization", List.of(x, g.constant(4, 5), g.constant(4, 5)), of("axis", -2L)));
      HvpCheck.assertMatches(g, 5e-3);
    }

    @Test
    void batchNormBeforeACurve() {
      OpGraph g = new OpGraph(17, 217);
      String x = g.input("x", 2, 3, 4, 5);
      String bn = g.node("BatchNormalization", List.of(x, g.constant(3), g.constant(3), g.constant(3),
          g.constant(Values.positive(g.rng(), new long[] {3}))));
      g.output(g.node("Tanh", List.of(bn)));
      HvpCheck.assertMatches(g, RTOL);
    }
  }

  @Nested
  class LinearAndPooling {
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void stridedConvBetweenCurves(int d) {
      // dX of a strided Conv is a ConvTranspose, of a stride-1 Conv a flipped Conv
      OpGraph g = new OpGraph(17, 220 + d);
      String x = g.input("x", OpGraph.dataShape(1, d, 2, 6, 7, 5));
      String c = g.node("Conv", List.of(g.node("Sigmoid", List.of(x)), g.constant(OpGraph.kernelShape(3, 2, d, 3))),
          of("pads", OpGraph.filled(2 * d, 1)), of("strides", OpGraph.filled(d, 2)));
      String t = g.node("Tanh", List.of(c));
      g.output(g.node("Conv", List.of(t, g.constant(OpGraph.kernelShape(2, 3, d, 3))), of("pads", OpGraph.filled(2 * d, 1))));
      HvpCheck.assertMatches(g, RTOL);
    }

    @Test
    void convTransposeIntoSoftplus() {
      OpGraph g = new OpGraph(17, 224);
      String x = g.input("x", 1, 3, 3, 4, 3);
      String c = g.node("ConvTranspose", List.of(x, g.constant(3, 2, 2, 2, 2), g.constant(2)),
          of("strides", OpGraph.filled(3, 2)));
      g.output(g.node("Softplus", List.of(c)));
      HvpCheck.assertMatches(g, RTOL);
    }

    @Test
    void attentionLikeMatMulOfTheInputWithItself() {
      OpGraph g = new OpGraph(17, 225);
      String x = g.input("x", 2, 5, 4);
      String q = g.node("MatMul", List.of(x, g.constant(4, 4)));
      String k = g.node("Transpose", List.of(g.node("MatMul", List.of(x, g.constant(4, 4)))), of("perm", new long[] {0, 2, 1}));
      String a = g.node("Softmax", List.of(g.node("MatMul", List.of(q, k))), of("axis", -1L));
      g.output(g.node("MatMul", List.of(a, x)));
      HvpCheck.assertMatches(g, RTOL);
    }

    @Test
    void gemmAndEinsumOfCurvedInputs() {
      OpGraph g = new OpGraph(17, 226);
      String x = g.input("x", 3, 4);
      String s = g.node("Sigmoid", List.of(x));
      String gemm = g.node("Gemm", List.of(s, x, g.constant(3, 3)), of("transB", 1L), of("alpha", 0.7f));
      String e = g.node("Einsum", List.of(x, s), of("equation", "ij,kj->ik"));
      g.output(g.node("Add", List.of(gemm, e)));
      HvpCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(ints = {17, 13})
    void maxPoolBetweenCurves(int opset) {
      // opset 17: the gradient is ScatterElements(reduction=add); 13: plain ScatterElements
      OpGraph g = new OpGraph(opset, 227 + opset);
      String x = g.input("x", Values.distinct(g.rng(), new long[] {1, 2, 4, 6, 4}));
      String p = g.node("MaxPool", List.of(g.node("Tanh", List.of(x))), of("kernel_shape", OpGraph.filled(3, 2)),
          of("strides", OpGraph.filled(3, 2)));
      g.output(g.node("Mul", List.of(p, p)));
      HvpCheck.assertMatches(g, RTOL);
    }

    @Test
    void overlappingMaxPoolSquared() {
      OpGraph g = new OpGraph(17, 232);
      String x = g.input("x", Values.distinct(g.rng(), new long[] {1, 2, 5, 6}));
      String p = g.node("MaxPool", List.of(x), of("kernel_shape", OpGraph.filled(2, 3)),
          of("strides", OpGraph.filled(2, 2)), of("pads", OpGraph.filled(4, 1)));
      g.output(g.node("Mul", List.of(p, p)));
      HvpCheck.assertMatches(g, RTOL);
    }

    @Test
    void averagePoolsAndResizeSquared() {
      OpGraph g = new OpGraph(17, 233);
      String x = g.input("x", 1, 2, 4, 6, 4);
      String a = g.node("AveragePool", List.of(x), of("kernel_shape", OpGraph.filled(3, 3)),
          of("strides", OpGraph.filled(3, 2)), of("pads", OpGraph.filled(6, 1)));
      String u = g.node("Resize", List.of(a, "", g.floats(1, 1, 2, 2, 2)), of("mode", "linear"));
      String gap = g.node("GlobalAveragePool", List.of(x));
      g.output(g.node("Add", List.of(g.node("Mul", List.of(u, u)), g.node("Sigmoid", List.of(gap)))));
      HvpCheck.assertMatches(g, RTOL);
    }

    @Test
    void reductionsOfCurvedInputs() {
      OpGraph g = new OpGraph(17, 234);
      String x = g.input("x", Values.distinct(g.rng(), new long[] {2, 3, 4}));
      String s = g.node("Sin", List.of(x));
      List<String> parts = List.of(
          g.node("ReduceMax", List.of(s), of("axes", new long[] {1})),
          g.node("ReduceL2", List.of(x), of("axes", new long[] {1})),
          g.node("ReduceLogSumExp", List.of(x), of("axes", new long[] {1})),
          g.node("ReduceSumSquare", List.of(x), of("axes", new long[] {1})),
          g.node("ReduceMean", List.of(g.node("Mul", List.of(x, s))), of("axes", new long[] {1})));
      g.output(g.node("Sum", parts));
      HvpCheck.assertMatches(g, RTOL);
    }
  }

  @Nested
  class Movement {
    @Test
    void sliceGatherPadAndConcatOfCurvedParts() {
      OpGraph g = new OpGraph(17, 240);
      String x = g.input("x", 1, 3, 6, 5);
      String t = g.node("Tanh", List.of(x));
      // strided slice and constant-index gather: their gradients are ScatterElements
      String sl = g.node("Slice", List.of(t, g.ints(0, 4), g.ints(6, 0), g.ints(2, 3), g.ints(2, -2)));
      String ga = g.node("Gather", List.of(t, g.ints(2, 0, 2)), of("axis", 2L));
      String pad = g.node("Pad", List.of(t, g.ints(0, 0, 1, 2, 0, 0, 2, 1)), of("mode", "reflect"));
      String cat = g.node("Concat", List.of(g.node("Reshape", List.of(sl, g.ints(1, -1))),
          g.node("Reshape", List.of(ga, g.ints(1, -1))), g.node("Reshape", List.of(pad, g.ints(1, -1)))), of("axis", 1L));
      g.output(g.node("Mul", List.of(cat, cat)));
      HvpCheck.assertMatches(g, RTOL);
    }

    @Test
    void gatherElementsWhereExpandTileSplit() {
      OpGraph g = new OpGraph(17, 241);
      String x = g.input("x", 2, 3, 4);
      String s = g.node("Sigmoid", List.of(x));
      String ge = g.node("GatherElements", List.of(s, g.intTensor(new long[] {0, 1, 3, 3, 2, 0, 1, 1, 0, 2, 2, 3}, 2, 3, 2)),
          of("axis", 2L));
      String w = g.node("Where", List.of(g.node("Greater", List.of(x, g.floats(0f))), s, g.node("Mul", List.of(x, x))));
      List<String> halves = g.nodeMulti("Split", List.of(w, g.ints(2, 2)), 2, of("axis", 2L));
      String ex = g.node("Expand", List.of(g.node("ReduceSum", List.of(s, g.ints(0)), of("keepdims", 1L)), g.ints(2, 3, 4)));
      String tile = g.node("Tile", List.of(halves.get(0), g.ints(1, 1, 2)));
      String squared = g.node("Mul", List.of(halves.get(1), halves.get(1)));
      String sum = g.node("Sum", List.of(g.node("Mul", List.of(tile, ex)), g.node("Tile", List.of(squared, g.ints(1, 1, 2)))));
      g.output(g.node("Concat", List.of(sum, g.node("Mul", List.of(ge, ge))), of("axis", 2L)));
      HvpCheck.assertMatches(g, RTOL);
    }

    @Test
    void gatherNdAndScatterNd() {
      OpGraph g = new OpGraph(18, 242);
      String x = g.input("x", 3, 4);
      String s = g.node("Tanh", List.of(x));
      String gnd = g.node("GatherND", List.of(s, g.intTensor(new long[] {0, 1, 2, 3, 0, 1}, 3, 2)));
      String snd = g.node("ScatterND", List.of(s, g.intTensor(new long[] {1, 2}, 1, 2),
          g.node("Slice", List.of(gnd, g.ints(0), g.ints(1), g.ints(0)))));
      String cat = g.node("Concat", List.of(g.node("Reshape", List.of(g.node("Mul", List.of(snd, x)), g.ints(-1))),
          g.node("Mul", List.of(gnd, gnd))), of("axis", 0L));
      g.output(g.node("Reshape", List.of(cat, g.ints(1, -1))));
      HvpCheck.assertMatches(g, RTOL);
    }
  }
}
