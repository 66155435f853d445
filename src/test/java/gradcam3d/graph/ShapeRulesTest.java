package gradcam3d.graph;

import static gradcam3d.onnx.Attributes.of;
import static gradcam3d.testing.OpGraph.dataShape;
import static gradcam3d.testing.OpGraph.filled;
import static gradcam3d.testing.OpGraph.kernelShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.autodiff.VjpRules;
import gradcam3d.onnx.DataTypes;
import gradcam3d.testing.OpGraph;
import gradcam3d.testing.ShapeCheck;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every shape rule against ONNX Runtime (the shape it really produces), op kind by op kind as the
 * gradient tests cover them, plus the ops transformer exports add.
 */
class ShapeRulesTest {
  @Test
  void shapeAndGradientTablesListTheSameOps() {
    Set<String> shapes = ShapeRules.covered();
    Set<String> gradients = new TreeSet<>(VjpRules.supported());
    gradients.addAll(VjpRules.NON_DIFFERENTIABLE);
    gradients.addAll(VjpRules.FORWARD_ONLY);
    Set<String> noGradient = new TreeSet<>(shapes);
    noGradient.removeAll(gradients);
    Set<String> noShape = new TreeSet<>(gradients);
    noShape.removeAll(shapes);
    assertEquals(Set.of(), noGradient, "ops with a shape rule but no gradient rule (nor listed as "
        + "non-differentiable or forward-only in VjpRules)");
    assertEquals(Set.of(), noShape, "ops with a gradient rule (or listed in VjpRules) but no shape rule");
    Set<String> both = new TreeSet<>(VjpRules.supported());
    both.retainAll(VjpRules.NON_DIFFERENTIABLE);
    both.addAll(intersection(VjpRules.supported(), VjpRules.FORWARD_ONLY));
    both.addAll(intersection(VjpRules.NON_DIFFERENTIABLE, VjpRules.FORWARD_ONLY));
    assertEquals(Set.of(), both, "ops listed twice in VjpRules");
  }

  /**
   * An op's shape rule and gradient rule sit in families of the same name (graph/NormShapes beside
   * autodiff/NormRules), so whoever reads one finds the other.
   */
  @Test
  void shapeAndGradientRulesOfAnOpSitInFamiliesOfTheSameName() {
    Map<String, String> shapeFamilies = ShapeRules.families();
    Map<String, String> mismatched = new TreeMap<>();
    VjpRules.families().forEach((op, family) -> {
      if (!family.equals(shapeFamilies.get(op))) {
        mismatched.put(op, "graph/" + shapeFamilies.get(op) + "Shapes, autodiff/" + family + "Rules");
      }
    });
    assertEquals(Map.of(), mismatched, "ops whose shape and gradient rules sit in differently named families");
    assertEquals(ShapeRules.covered(), shapeFamilies.keySet(), "every shape rule has a family");
    assertEquals(VjpRules.supported(), VjpRules.families().keySet(), "every gradient rule has a family");
  }

  private static Set<String> intersection(Set<String> a, Set<String> b) {
    Set<String> r = new TreeSet<>(a);
    r.retainAll(b);
    return r;
  }

  @Test
  void unknownOpNamesItselfWhenItsShapeIsNeeded() {
    Graph g = Graph.empty(17, "g");
    g.inputs().add(Graph.valueInfo("x", DataTypes.FLOAT, new long[] {1, 4}));
    g.nodes().add(new Node("mystery", "FancyOp", "com.example", List.of("x"), List.of("y"), Map.of(), List.of()));
    g.nodes().add(new Node("relu", "Relu", "", List.of("y"), List.of("z"), Map.of(), List.of()));
    Map<String, TensorInfo> info = ShapeInference.infer(g, Map.of());
    assertNull(info.get("z").shape());
    GraphBuilder b = new GraphBuilder(g, info, "t/");
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> b.shape("z"));
    assertTrue(e.getMessage().contains("'mystery' (com.example.FancyOp)")
        || e.getMessage().contains("no rule for op com.example.FancyOp"), e.getMessage());
    assertTrue(e.getMessage().startsWith("the shape of tensor 'z' is not known"), e.getMessage());
  }

  @Nested
  class Convolution {
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void convStridedDilatedGroupedPadded(int d) {
      OpGraph g = new OpGraph(17, d);
      String x = g.input("x", dataShape(2, d, 4, 9, 8, 7));
      long[] pads = filled(2 * d, 1);
      pads[0] = 0;
      g.node("Conv", List.of(x, g.constant(kernelShape(6, 2, d, 3))), of("pads", pads), of("strides", filled(d, 2)),
          of("dilations", filled(d, 2)), of("group", 2L));
      g.node("Conv", List.of(x, g.constant(kernelShape(3, 4, d, 2))), of("auto_pad", "SAME_UPPER"),
          of("strides", filled(d, 2)));
      ShapeCheck.assertMatchesRuntime(g);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void convTransposeWithOutputPadding(int d) {
      OpGraph g = new OpGraph(17, 10 + d);
      String x = g.input("x", dataShape(2, d, 4, 3, 4, 5));
      g.node("ConvTranspose", List.of(x, g.constant(kernelShape(4, 3, d, 3))), of("strides", filled(d, 2)),
          of("pads", filled(2 * d, 1)), of("output_padding", filled(d, 1)), of("group", 2L));
      ShapeCheck.assertMatchesRuntime(g);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void pools(int d) {
      OpGraph g = new OpGraph(17, 20 + d);
      String x = g.input("x", dataShape(2, d, 3, 9, 8, 7));
      g.nodeMulti("MaxPool", List.of(x), 2, of("kernel_shape", filled(d, 3)), of("strides", filled(d, 2)),
          of("pads", filled(2 * d, 1)));
      g.node("MaxPool", List.of(x), of("kernel_shape", filled(d, 2)), of("ceil_mode", 1L), of("strides", filled(d, 2)),
          of("dilations", filled(d, 2)));
      g.node("AveragePool", List.of(x), of("kernel_shape", filled(d, 3)), of("strides", filled(d, 2)),
          of("ceil_mode", 1L));
      g.node("GlobalAveragePool", List.of(x));
      g.node("GlobalMaxPool", List.of(x));
      ShapeCheck.assertMatchesRuntime(g);
    }
  }

  @Nested
  class Normalization {
    @Test
    void batchInstanceGroupAndLayerNorm() {
      OpGraph g = new OpGraph(18, 30);
      String x = g.input("x", 2, 4, 3, 5, 2);
      g.node("BatchNormalization", List.of(x, g.constant(4), g.constant(4), g.constant(4),
          g.floats(1, 2, 3, 4)));
      g.node("InstanceNormalization", List.of(x, g.constant(4), g.constant(4)));
      g.node("GroupNormalization", List.of(x, g.constant(2), g.constant(2)), of("num_groups", 2L));
      g.nodeMulti("LayerNormalization", List.of(x, g.constant(5, 2), g.constant(5, 2)), 3, of("axis", -2L));
      ShapeCheck.assertMatchesRuntime(g);
    }
  }

  @Nested
  class Pointwise {
    @Test
    void unaryActivations() {
      OpGraph g = new OpGraph(18, 40);
      String x = g.input("x", 2, 3, 4);
      for (String op : List.of("Relu", "Sigmoid", "Tanh", "Softplus", "Softsign", "Erf", "Elu", "Selu",
          "HardSigmoid", "HardSwish", "Exp", "Abs", "Neg", "Sin", "Cos", "Mish", "Celu", "Identity",
          "Floor", "Ceil", "Sign")) {
        g.node(op, List.of(x));
      }
      g.node("LeakyRelu", List.of(x), of("alpha", 0.2f));
      g.node("Clip", List.of(x, g.floats(-0.5f), g.floats(0.5f)));
      g.node("PRelu", List.of(x, g.constant(3, 1)));
      g.node("Softmax", List.of(x), of("axis", 1L));
      g.node("LogSoftmax", List.of(x), of("axis", -1L));
      g.nodeMulti("Dropout", List.of(x), 2);
      g.node("Cast", List.of(x), of("to", (long) DataTypes.DOUBLE));
      g.node("IsNaN", List.of(x));
      ShapeCheck.assertMatchesRuntime(g);
      OpGraph g20 = new OpGraph(20, 43);
      g20.node("Gelu", List.of(g20.input("y", 2, 3)), of("approximate", "tanh"));
      ShapeCheck.assertMatchesRuntime(g20);
    }

    @Test
    void binaryBroadcastAndComparisons() {
      OpGraph g = new OpGraph(17, 41);
      String a = g.input("a", 2, 1, 4);
      String b = g.input("b", 3, 1);
      for (String op : List.of("Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "Equal", "Less",
          "GreaterOrEqual")) {
        g.node(op, List.of(a, b));
      }
      g.node("Sum", List.of(a, b, g.constant(4)));
      g.node("Mean", List.of(a, b, g.constant(1, 1, 1, 4)));
      ShapeCheck.assertMatchesRuntime(g);
    }

    @Test
    void whereBroadcastsAllThreeInputs() {
      OpGraph g = new OpGraph(17, 42);
      String a = g.input("a", 1, 3, 1);
      String b = g.input("b", 4);
      String cond = g.node("Greater", List.of(g.constant(2, 1, 1, 1), g.floats(0f)));
      g.node("Where", List.of(cond, a, b));
      ShapeCheck.assertMatchesRuntime(g);
    }
  }

  @Nested
  class DataMovement {
    @Test
    void concatSplitSlicePad() {
      OpGraph g = new OpGraph(18, 50);
      String a = g.input("a", 1, 2, 7, 6);
      String b = g.input("b", 1, 3, 7, 6);
      String c = g.node("Concat", List.of(a, b), of("axis", 1L));
      g.nodeMulti("Split", List.of(c, g.ints(1, 4)), 2, of("axis", 1L));
      g.nodeMulti("Split", List.of(c), 3, of("axis", 2L), of("num_outputs", 3L));
      g.node("Slice", List.of(c, g.ints(0, 6), g.ints(5, 0), g.ints(1, 2), g.ints(2, -2)));
      g.node("Slice", List.of(c, g.ints(-3), g.ints(Long.MAX_VALUE), g.ints(3)));
      g.node("Pad", List.of(a, g.ints(0, 0, 1, 2, 0, 0, -1, 3)));
      g.node("Pad", List.of(a, g.ints(2, 1, 0, 3), g.floats(0f), g.ints(-1, 2)), of("mode", "constant"));
      ShapeCheck.assertMatchesRuntime(g);
    }

    @Test
    void reshapesTransposeExpandTile() {
      OpGraph g = new OpGraph(17, 51);
      String x = g.input("x", 2, 3, 4, 5);
      String f = g.node("Flatten", List.of(x), of("axis", 2L));
      String u = g.node("Unsqueeze", List.of(f, g.ints(0, -1)));
      g.node("Squeeze", List.of(u, g.ints(0)));
      g.node("Squeeze", List.of(u));
      g.node("Reshape", List.of(x, g.ints(0, -1, 5)));
      g.node("Transpose", List.of(x), of("perm", new long[] {2, 0, 3, 1}));
      g.node("Transpose", List.of(x));
      String v = g.input("v", 3, 1, 2);
      g.node("Expand", List.of(v, g.ints(2, 1, 4, 1)));
      g.node("Tile", List.of(v, g.ints(1, 4, 3)));
      ShapeCheck.assertMatchesRuntime(g);
    }

    @Test
    void gathers() {
      OpGraph g = new OpGraph(17, 52);
      String x = g.input("x", 2, 5, 3);
      g.node("Gather", List.of(x, g.intTensor(new long[] {4, 0, 4, -1}, 2, 2)), of("axis", 1L));
      g.node("Gather", List.of(x, g.scalarInts(2)), of("axis", -1L));
      g.node("GatherElements", List.of(x, g.intTensor(new long[] {0, 1, 3, 3, 2, 0}, 1, 2, 3)), of("axis", 1L));
      ShapeCheck.assertMatchesRuntime(g);
    }

    @Test
    void shapeSubgraphOfADynamicExportIsEvaluated() {
      // the TorchScript exporter's x.view(x.size(0), -1, x.size(-1)) with dynamic axes
      OpGraph g = new OpGraph(17, 53);
      String x = g.input("x", 2, 3, 4, 5);
      String shape = g.node("Shape", List.of(x));
      String batch = g.node("Gather", List.of(shape, g.scalarInts(0)));
      String last = g.node("Gather", List.of(shape, g.scalarInts(-1)));
      String dims = g.node("Concat", List.of(g.node("Unsqueeze", List.of(batch, g.ints(0))), g.ints(-1),
          g.node("Unsqueeze", List.of(last, g.ints(0)))), of("axis", 0L));
      String r = g.node("Reshape", List.of(x, dims));
      g.node("Size", List.of(r));
      g.node("ConstantOfShape", List.of(g.node("Shape", List.of(r), of("start", 1L))));
      Map<String, TensorInfo> info = ShapeCheck.assertMatchesRuntime(g);
      assertArrayEquals(new long[] {2, 12, 5}, info.get(r).shape());
    }
  }

  @Nested
  class MatrixProducts {
    @Test
    void matmulGemmEinsum() {
      OpGraph g = new OpGraph(17, 60);
      String a = g.input("a", 2, 1, 3, 4);
      g.node("MatMul", List.of(a, g.constant(3, 4, 5)));
      g.node("MatMul", List.of(a, g.constant(4)));
      g.node("MatMul", List.of(g.constant(3), g.constant(2, 3, 4)));
      String m = g.input("m", 4, 3);
      g.node("Gemm", List.of(m, g.constant(5, 4), g.constant(1, 5)), of("transA", 1L), of("transB", 1L));
      g.node("Einsum", List.of(a, g.constant(4, 5)), of("equation", "bxik,kj->bj"));
      g.node("Einsum", List.of(a), of("equation", "...ik->...ki"));
      ShapeCheck.assertMatchesRuntime(g);
    }
  }

  @Nested
  class Reductions {
    @Test
    void reduceKeepAndDropAxesAsAttributeOrInput() {
      OpGraph g13 = new OpGraph(13, 70);
      String x = g13.input("x", 2, 3, 4, 5);
      g13.node("ReduceMean", List.of(x), of("axes", new long[] {1, -1}), of("keepdims", 0L));
      g13.node("ReduceSum", List.of(x, g13.ints(2)), of("keepdims", 1L));
      g13.node("ReduceMax", List.of(x));
      g13.node("ArgMax", List.of(x), of("axis", 1L), of("keepdims", 0L));
      ShapeCheck.assertMatchesRuntime(g13);
      OpGraph g18 = new OpGraph(18, 71);
      String y = g18.input("y", 2, 3, 4, 5);
      g18.node("ReduceMean", List.of(y, g18.ints(2, 3)), of("keepdims", 0L));
      g18.node("ReduceLogSumExp", List.of(y, g18.ints(0)));
      g18.node("ReduceSumSquare", List.of(y), of("keepdims", 0L));
      g18.node("ReduceMin", List.of(y, g18.ints(1)), of("keepdims", 1L));
      ShapeCheck.assertMatchesRuntime(g18);
    }
  }

  @Nested
  class Resampling {
    @Test
    void resizeByScalesAndSizesAndUpsample() {
      OpGraph g = new OpGraph(17, 80);
      String x = g.input("x", 1, 2, 4, 5, 3);
      g.node("Resize", List.of(x, "", g.floats(1, 1, 2, 1.5f, 0.5f)), of("mode", "linear"));
      g.node("Resize", List.of(x, "", "", g.ints(1, 2, 7, 9, 2)), of("mode", "nearest"));
      ShapeCheck.assertMatchesRuntime(g);
      OpGraph g9 = new OpGraph(9, 81);
      String y = g9.input("y", 1, 2, 3, 4);
      g9.node("Upsample", List.of(y, g9.floats(1, 1, 2, 2)));
      ShapeCheck.assertMatchesRuntime(g9);
    }
  }

  /** Ops that current transformer exports (Swin, UNETR, ViT) emit. */
  @Nested
  class TransformerOps {
    @Test
    void relativePositionBiasGatherND() {
      OpGraph g = new OpGraph(18, 90);
      String table = g.input("table", 5, 5, 3);
      // index tuples [i, j] for a 2x2 window's 4x4 token pairs
      long[] idx = new long[4 * 4 * 2];
      for (int i = 0; i < 16; i++) {
        idx[2 * i] = (i / 4 + 1) % 5;
        idx[2 * i + 1] = (i % 4 + 2) % 5;
      }
      String bias = g.node("GatherND", List.of(table, g.intTensor(idx, 4, 4, 2)));
      String t = g.node("Transpose", List.of(bias), of("perm", new long[] {2, 0, 1}));
      g.node("Unsqueeze", List.of(t, g.ints(0)));
      String batched = g.input("batched", 2, 3, 4);
      g.node("GatherND", List.of(batched, g.intTensor(new long[] {1, 0, 2, 2}, 2, 2, 1)), of("batch_dims", 1L));
      Map<String, TensorInfo> info = ShapeCheck.assertMatchesRuntime(g);
      assertArrayEquals(new long[] {4, 4, 3}, info.get(bias).shape());
    }

    @Test
    void attentionChainWithMaskAndNorms() {
      // q k^T / sqrt(d) + bias, a causal Trilu mask through Where, softmax, times v
      OpGraph g = new OpGraph(18, 91);
      String tokens = g.input("tokens", 2, 6, 8);
      String normed = g.nodeMulti("LayerNormalization", List.of(tokens, g.constant(8), g.constant(8)), 1,
          of("axis", -1L)).get(0);
      String qkv = g.node("MatMul", List.of(normed, g.constant(8, 24)));
      String heads = g.node("Reshape", List.of(qkv, g.ints(2, 6, 3, 2, 4)));
      String perm = g.node("Transpose", List.of(heads), of("perm", new long[] {2, 0, 3, 1, 4}));
      List<String> parts = g.nodeMulti("Split", List.of(perm, g.ints(1, 1, 1)), 3, of("axis", 0L));
      String q = g.node("Squeeze", List.of(parts.get(0), g.ints(0)));
      String k = g.node("Squeeze", List.of(parts.get(1), g.ints(0)));
      String v = g.node("Squeeze", List.of(parts.get(2), g.ints(0)));
      String kt = g.node("Transpose", List.of(k), of("perm", new long[] {0, 1, 3, 2}));
      String scores = g.node("Div", List.of(g.node("MatMul", List.of(q, kt)), g.floats(2f)));
      String ones = g.node("ConstantOfShape", List.of(g.ints(6, 6)));
      String causal = g.node("Trilu", List.of(ones), of("upper", 0L));
      String keep = g.node("Cast", List.of(causal), of("to", (long) DataTypes.BOOL));
      String masked = g.node("Where", List.of(keep, scores, g.floats(-1e4f)));
      String attn = g.node("Softmax", List.of(masked), of("axis", -1L));
      String out = g.node("MatMul", List.of(attn, v));
      g.node("Einsum", List.of(attn, v), of("equation", "bhij,bhjd->bihd"));
      g.node("CumSum", List.of(out, g.scalarInts(2)), of("reverse", 1L));
      g.node("GroupNormalization", List.of(tokens, g.constant(3), g.constant(3)), of("num_groups", 3L));
      ShapeCheck.assertMatchesRuntime(g);
    }

    @Test
    void scatterNDRangeAndConstantNonZero() {
      OpGraph g = new OpGraph(18, 92);
      String x = g.input("x", 4, 3, 2);
      g.node("ScatterND", List.of(x, g.intTensor(new long[] {2, 0}, 2, 1), g.constant(2, 3, 2)));
      g.node("ScatterND", List.of(x, g.intTensor(new long[] {1, 2, 3, 0}, 2, 2), g.constant(2, 2)),
          of("reduction", "add"));
      String shape = g.node("Shape", List.of(x));
      String n = g.node("Gather", List.of(shape, g.scalarInts(0)));
      String range = g.node("Range", List.of(g.scalarInts(0), n, g.scalarInts(1)));
      String mask = g.node("Less", List.of(range, g.scalarInts(2)));
      String nz = g.node("NonZero", List.of(mask));
      Map<String, TensorInfo> info = ShapeCheck.assertMatchesRuntime(g);
      assertArrayEquals(new long[] {0, 1}, info.get(nz).value().longs());
      assertArrayEquals(new long[] {0, 1, 2, 3}, info.get(range).value().longs());
    }
  }
}
