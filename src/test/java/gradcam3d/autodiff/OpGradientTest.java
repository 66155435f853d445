package gradcam3d.autodiff;

import static gradcam3d.onnx.Attributes.of;

import gradcam3d.onnx.DataTypes;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.GradCheck;
import gradcam3d.testing.OpGraph;
import gradcam3d.testing.OpGraph.Values;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every gradient rule against central finite differences of ONNX Runtime forward runs. */
class OpGradientTest {
  private static final double RTOL = 2e-3;

  private static long[] pads(int rank, long p) {
    return OpGraph.filled(2 * rank, p);
  }

  private static long[] ints(int n, long v) {
    return OpGraph.filled(n, v);
  }

  /** A 2D (rank 4) or 3D (rank 5) data shape [1, c, ...]. */
  private static long[] shape(int spatial, long c, long... sizes) {
    return OpGraph.dataShape(1, spatial, c, sizes);
  }

  private static long[] kernel(long cout, long cinPerGroup, int spatial, long k) {
    return OpGraph.kernelShape(cout, cinPerGroup, spatial, k);
  }

  @Nested
  class Convolution {
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void stride1Padded(int d) {
      OpGraph g = new OpGraph(17, d);
      String x = g.input("x", shape(d, 3, 6, 5, 7));
      g.output(g.node("Conv", List.of(x, g.constant(kernel(4, 3, d, 3)), g.constant(4)),
          of("pads", pads(d, 1))));
      GradCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void strided(int d) {
      OpGraph g = new OpGraph(17, 10 + d);
      String x = g.input("x", shape(d, 2, 7, 8, 9));
      g.output(g.node("Conv", List.of(x, g.constant(kernel(3, 2, d, 3))),
          of("pads", pads(d, 1)), of("strides", ints(d, 2))));
      GradCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void dilatedGroupedAsymmetricPads(int d) {
      OpGraph g = new OpGraph(17, 20 + d);
      String x = g.input("x", shape(d, 4, 9, 8, 7));
      long[] p = pads(d, 0);
      p[0] = 2;
      p[d] = 1;
      p[d + 1] = 3;
      g.output(g.node("Conv", List.of(x, g.constant(kernel(6, 2, d, 3))),
          of("pads", p), of("dilations", ints(d, 2)), of("group", 2L)));
      GradCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void stridedDilatedOddSize(int d) {
      OpGraph g = new OpGraph(17, 30 + d);
      String x = g.input("x", shape(d, 2, 9, 10, 11));
      g.output(g.node("Conv", List.of(x, g.constant(kernel(2, 2, d, 3))),
          of("pads", pads(d, 2)), of("strides", ints(d, 3)), of("dilations", ints(d, 2))));
      GradCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SAME_UPPER", "SAME_LOWER", "VALID"})
    void autoPad(String mode) {
      OpGraph g = new OpGraph(17, mode.length());
      String x = g.input("x", 1, 2, 7, 6);
      g.output(g.node("Conv", List.of(x, g.constant(3, 2, 4, 3)), of("auto_pad", mode),
          of("strides", new long[] {2, 1})));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void depthwise3d() {
      OpGraph g = new OpGraph(17, 41);
      String x = g.input("x", 1, 3, 5, 6, 5);
      g.output(g.node("Conv", List.of(x, g.constant(3, 1, 3, 3, 3)), of("group", 3L),
          of("pads", pads(3, 1))));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void weightsComputedInTheGraph() {
      // weights that are not an initializer are flipped with graph ops
      OpGraph g = new OpGraph(17, 42);
      String x = g.input("x", 1, 2, 6, 5);
      String w = g.node("Mul", List.of(g.constant(3, 2, 3, 3), g.floats(2f)));
      g.output(g.node("Conv", List.of(x, w), of("pads", pads(2, 1))));
      GradCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void convTranspose(int d) {
      OpGraph g = new OpGraph(17, 50 + d);
      String x = g.input("x", shape(d, 4, 3, 4, 3));
      g.output(g.node("ConvTranspose", List.of(x, g.constant(kernel(4, 3, d, 2))),
          of("strides", ints(d, 2))));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void convTransposePaddedOutputPaddingGrouped() {
      OpGraph g = new OpGraph(17, 55);
      String x = g.input("x", 1, 4, 3, 4, 3);
      g.output(g.node("ConvTranspose", List.of(x, g.constant(4, 1, 3, 3, 3), g.constant(2)),
          of("strides", ints(3, 2)), of("pads", pads(3, 1)), of("output_padding", ints(3, 1)),
          of("group", 2L)));
      GradCheck.assertMatches(g, RTOL);
    }
  }

  @Nested
  class Pooling {
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void maxPoolNonOverlapping(int d) {
      OpGraph g = new OpGraph(17, 60 + d);
      String x = g.input("x", Values.distinct(g.rng(), shape(d, 2, 4, 6, 4)));
      g.output(g.node("MaxPool", List.of(x), of("kernel_shape", ints(d, 2)), of("strides", ints(d, 2))));
      GradCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void maxPoolOverlappingPadded(int d) {
      // k3 s2 p1: windows overlap, so one input can be the max of several windows
      OpGraph g = new OpGraph(17, 70 + d);
      String x = g.input("x", Values.distinct(g.rng(), shape(d, 2, 5, 6, 5)));
      g.output(g.node("MaxPool", List.of(x), of("kernel_shape", ints(d, 3)), of("strides", ints(d, 2)),
          of("pads", pads(d, 1))));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void maxPoolCeilModeDilated() {
      OpGraph g = new OpGraph(17, 75);
      String x = g.input("x", Values.distinct(g.rng(), new long[] {1, 2, 9, 8}));
      g.output(g.node("MaxPool", List.of(x), of("kernel_shape", ints(2, 2)), of("strides", ints(2, 2)),
          of("dilations", ints(2, 2)), of("ceil_mode", 1L)));
      GradCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void averagePoolPadded(int includePad) {
      OpGraph g = new OpGraph(17, 80 + includePad);
      String x = g.input("x", 1, 2, 5, 6, 7);
      g.output(g.node("AveragePool", List.of(x), of("kernel_shape", ints(3, 3)), of("strides", ints(3, 2)),
          of("pads", pads(3, 1)), of("count_include_pad", (long) includePad)));
      GradCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void averagePoolCeilMode(int includePad) {
      OpGraph g = new OpGraph(17, 85 + includePad);
      String x = g.input("x", 1, 2, 7, 8);
      g.output(g.node("AveragePool", List.of(x), of("kernel_shape", ints(2, 3)), of("strides", ints(2, 2)),
          of("pads", new long[] {1, 0, 1, 1}), of("ceil_mode", 1L), of("count_include_pad", (long) includePad)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void averagePool3dK2() {
      OpGraph g = new OpGraph(17, 88);
      String x = g.input("x", 1, 3, 4, 6, 8);
      g.output(g.node("AveragePool", List.of(x), of("kernel_shape", ints(3, 2)), of("strides", ints(3, 2))));
      GradCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GlobalAveragePool", "GlobalMaxPool"})
    void global(String op) {
      OpGraph g = new OpGraph(17, op.length());
      String x = g.input("x", Values.distinct(g.rng(), new long[] {2, 3, 3, 4, 2}));
      g.output(g.node(op, List.of(x)));
      GradCheck.assertMatches(g, RTOL);
    }
  }

  @Nested
  class Normalisation {
    @Test
    void batchNorm() {
      OpGraph g = new OpGraph(17, 90);
      String x = g.input("x", 2, 3, 4, 5, 3);
      g.output(g.node("BatchNormalization", List.of(x, g.constant(3), g.constant(3), g.constant(3),
          g.constant(Values.positive(g.rng(), new long[] {3}))), of("epsilon", 1e-3f)));
      GradCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void instanceNorm(int d) {
      OpGraph g = new OpGraph(17, 91 + d);
      String x = g.input("x", shape(d, 3, 4, 5, 3));
      g.output(g.node("InstanceNormalization", List.of(x, g.constant(3), g.constant(3)), of("epsilon", 1e-5f)));
      GradCheck.assertMatches(g, 5e-3);
    }

    @Test
    void groupNormOpset18PerGroupScale() {
      OpGraph g = new OpGraph(18, 94);
      String x = g.input("x", 2, 4, 3, 4, 3);
      g.output(g.node("GroupNormalization", List.of(x, g.constant(2), g.constant(2)), of("num_groups", 2L)));
      GradCheck.assertMatches(g, 5e-3);
    }

    @Test
    void groupNormOpset21PerChannelScale() {
      OpGraph g = new OpGraph(21, 95);
      String x = g.input("x", 1, 6, 3, 4, 3);
      g.output(g.node("GroupNormalization", List.of(x, g.constant(6), g.constant(6)), of("num_groups", 3L)));
      GradCheck.assertMatches(g, 5e-3);
    }

    @Test
    void groupNormAsExportedByTorchScript() {
      // Reshape [N, G, -1] + InstanceNormalization + Reshape + Mul + Add
      OpGraph g = new OpGraph(17, 96);
      String x = g.input("x", 1, 4, 3, 4, 5);
      String r = g.node("Reshape", List.of(x, g.ints(1, 2, -1)));
      String n = g.node("InstanceNormalization", List.of(r, g.floats(1f, 1f), g.floats(0f, 0f)));
      String back = g.node("Reshape", List.of(n, g.ints(1, 4, 3, 4, 5)));
      String m = g.node("Mul", List.of(back, g.constant(4, 1, 1, 1)));
      g.output(g.node("Add", List.of(m, g.constant(4, 1, 1, 1))));
      GradCheck.assertMatches(g, 5e-3);
    }

    @Test
    void layerNorm() {
      OpGraph g = new OpGraph(17, 97);
      String x = g.input("x", 2, 3, 4, 5);
      g.output(g.node("LayerNormalization", List.of(x, g.constant(4, 5), g.constant(4, 5)), of("axis", -2L)));
      GradCheck.assertMatches(g, 5e-3);
    }
  }

  @Nested
  class Pointwise {
    @ParameterizedTest
    @ValueSource(strings = {"Relu", "Sigmoid", "Tanh", "Softplus", "Erf", "Exp", "Neg", "Abs", "Identity",
        "Softsign", "Sin", "Cos", "Mish"})
    void unary(String op) {
      OpGraph g = new OpGraph(18, op.hashCode());
      String x = g.input("x", 2, 3, 4, 5);
      g.output(g.node(op, List.of(x)));
      GradCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Sqrt", "Log", "Reciprocal"})
    void unaryPositive(String op) {
      OpGraph g = new OpGraph(17, op.hashCode());
      String x = g.input("x", Values.positive(g.rng(), new long[] {2, 3, 4}));
      g.output(g.node(op, List.of(x)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void parametrised() {
      OpGraph g = new OpGraph(17, 100);
      String x = g.input("x", 1, 3, 4, 5);
      String a = g.node("LeakyRelu", List.of(x), of("alpha", 0.1f));
      String b = g.node("Elu", List.of(x), of("alpha", 0.7f));
      String c = g.node("Selu", List.of(x));
      String d = g.node("HardSigmoid", List.of(x), of("alpha", 0.3f), of("beta", 0.4f));
      String e = g.node("Celu", List.of(x), of("alpha", 1.3f));
      String s = g.node("Sum", List.of(a, b, c, d, e));
      g.output(s);
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void hardSwishAndClip() {
      OpGraph g = new OpGraph(17, 101);
      FloatTensor v = Values.uniform(g.rng(), new long[] {1, 2, 5, 6}, -4.5, 4.5);
      for (int i = 0; i < v.size(); i++) {
        float f = v.data()[i];
        if (Math.abs(Math.abs(f) - 3) < 0.05 || Math.abs(Math.abs(f) - 0.5) < 0.05) {
          v.data()[i] = f + 0.2f;
        }
      }
      String x = g.input("x", v);
      String hs = g.node("HardSwish", List.of(x));
      String cl = g.node("Clip", List.of(x, g.constant(new FloatTensor(new float[] {-0.5f})),
          g.constant(new FloatTensor(new float[] {0.5f}))));
      g.output(g.node("Add", List.of(hs, cl)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void preluPerChannelSlope() {
      OpGraph g = new OpGraph(17, 102);
      String x = g.input("x", 1, 3, 4, 3, 2);
      g.output(g.node("PRelu", List.of(x, g.constant(3, 1, 1, 1))));
      GradCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "tanh"})
    void gelu(String approximate) {
      OpGraph g = new OpGraph(20, 103);
      String x = g.input("x", 2, 3, 4);
      g.output(g.node("Gelu", List.of(x), of("approximate", approximate)));
      GradCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Add", "Sub", "Mul", "Div", "Max", "Min"})
    void binaryBroadcastBothDifferentiated(String op) {
      OpGraph g = new OpGraph(17, op.hashCode());
      String a = g.input("a", Values.distinct(g.rng(), new long[] {2, 3, 4, 1}));
      // b sits between a's grid values: no exact ties for Max/Min
      FloatTensor bv = op.equals("Div") ? Values.positive(g.rng(), new long[] {3, 1, 5})
          : Values.distinct(g.rng(), new long[] {3, 1, 5});
      for (int i = 0; i < bv.size(); i++) {
        bv.data()[i] += op.equals("Div") ? 0 : 0.025f;
      }
      String b = g.input("b", bv);
      g.output(g.node(op, List.of(a, b)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void powConstantAndVariableExponent() {
      OpGraph g = new OpGraph(17, 104);
      String x = g.input("x", Values.positive(g.rng(), new long[] {2, 3, 4}));
      String p = g.input("p", Values.uniform(g.rng(), new long[] {3, 1}, -1, 2));
      String a = g.node("Pow", List.of(x, g.floats(3f)));
      String b = g.node("Pow", List.of(x, p));
      g.output(g.node("Add", List.of(a, b)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void meanOfThree() {
      OpGraph g = new OpGraph(17, 105);
      String a = g.input("a", 2, 3, 4);
      String b = g.input("b", 3, 1);
      g.output(g.node("Mean", List.of(a, b, g.constant(2, 3, 4))));
      GradCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Softmax", "LogSoftmax"})
    void softmax(String op) {
      OpGraph g = new OpGraph(17, op.hashCode());
      String x = g.input("x", 2, 4, 3, 2);
      g.output(g.node(op, List.of(x), of("axis", 1L)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void softmaxOpset11CoercesTrailingAxes() {
      OpGraph g = new OpGraph(11, 106);
      String x = g.input("x", 2, 4, 3);
      g.output(g.node("Softmax", List.of(x), of("axis", 1L)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void dropoutAndCast() {
      OpGraph g = new OpGraph(17, 107);
      String x = g.input("x", 2, 3, 4);
      String d = g.node("Dropout", List.of(x));
      String c = g.node("Cast", List.of(d), of("to", (long) DataTypes.DOUBLE));
      String e = g.node("Exp", List.of(c));
      g.output(g.node("Cast", List.of(e), of("to", (long) DataTypes.FLOAT)));
      GradCheck.assertMatches(g, RTOL);
    }
  }

  @Nested
  class DataMovement {
    @Test
    void concatAndSplit() {
      OpGraph g = new OpGraph(17, 110);
      String a = g.input("a", 1, 2, 3, 4);
      String b = g.input("b", 1, 3, 3, 4);
      String c = g.node("Concat", List.of(a, b), of("axis", 1L));
      List<String> parts = g.nodeMulti("Split", List.of(c, g.ints(1, 4)), 2, of("axis", 1L));
      String t = g.node("Tanh", List.of(parts.get(1)));
      g.output(g.node("Concat", List.of(t, parts.get(0)), of("axis", 1L)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void splitWithUnusedOutput() {
      OpGraph g = new OpGraph(13, 111);
      String x = g.input("x", 2, 6, 3);
      List<String> parts = g.nodeMulti("Split", List.of(x, g.ints(2, 1, 3)), 3, of("axis", 1L));
      g.output(g.node("Mul", List.of(parts.get(0), parts.get(2 - 2))));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void sliceUnitAndStridedAndNegativeSteps() {
      OpGraph g = new OpGraph(17, 112);
      String x = g.input("x", 2, 5, 7, 6);
      String a = g.node("Slice", List.of(x, g.ints(1, 1), g.ints(4, -1), g.ints(1, 2)));
      String b = g.node("Slice", List.of(x, g.ints(0, 6), g.ints(5, 0), g.ints(1, 2), g.ints(2, -2)));
      String ra = g.node("ReduceSum", List.of(a, g.ints(2)), of("keepdims", 1L));
      String rb = g.node("ReduceSum", List.of(b, g.ints(2)), of("keepdims", 1L));
      g.output(g.node("Concat", List.of(ra, rb), of("axis", 1L)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void sliceFlipsWholeAxes() {
      // torch.flip's export (test-time mirroring): its gradient is dY flipped the same way
      OpGraph g = new OpGraph(17, 117);
      String x = g.input("x", 1, 2, 4, 5, 3);
      String f = g.node("Slice", List.of(x, g.ints(-1, -1), g.ints(-Long.MAX_VALUE, -Long.MAX_VALUE), g.ints(2, 4),
          g.ints(-1, -1)));
      // a non-uniform weight makes every position's gradient distinct
      g.output(g.node("Mul", List.of(f, g.constant(1, 2, 4, 5, 3))));
      GradCheck.assertMatches(g, RTOL);
      // the rule's flip path (not the general scatter) handled it
      org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {2, 4}, gradcam3d.graph.SliceSpec.of(
          new long[] {1, 2, 4, 5, 3}, new long[] {-1, -1}, new long[] {-Long.MAX_VALUE, -Long.MAX_VALUE},
          new long[] {2, 4}, new long[] {-1, -1}).reversedAxes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"constant", "reflect", "edge"})
    void pad(String mode) {
      OpGraph g = new OpGraph(17, mode.hashCode());
      String x = g.input("x", 1, 2, 4, 5, 3);
      g.output(g.node("Pad", List.of(x, g.ints(0, 0, 1, 2, 0, 0, 0, 2, 1, 1)), of("mode", mode)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void negativePadCrops() {
      OpGraph g = new OpGraph(17, 113);
      String x = g.input("x", 1, 2, 5, 6);
      g.output(g.node("Pad", List.of(x, g.ints(0, 0, -1, 2, 0, 0, 1, -2))));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void reshapesAndTranspose() {
      OpGraph g = new OpGraph(17, 114);
      String x = g.input("x", 2, 3, 4, 5);
      String f = g.node("Flatten", List.of(x), of("axis", 2L));
      String u = g.node("Unsqueeze", List.of(f, g.ints(0)));
      String s = g.node("Squeeze", List.of(u, g.ints(0)));
      String r = g.node("Reshape", List.of(s, g.ints(6, 4, 5)));
      String t = g.node("Transpose", List.of(r), of("perm", new long[] {2, 0, 1}));
      g.output(g.node("Mul", List.of(t, g.constant(5, 6, 4))));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void expandAndTile() {
      OpGraph g = new OpGraph(17, 115);
      String x = g.input("x", 3, 1, 2);
      String e = g.node("Expand", List.of(x, g.ints(2, 3, 4, 2)));
      String t = g.node("Tile", List.of(x, g.ints(1, 4, 1)));
      String ee = g.node("Mul", List.of(e, g.constant(2, 3, 4, 2)));
      g.output(g.node("Add", List.of(ee, g.node("Mul", List.of(t, g.constant(3, 4, 2))))));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void gatherWithRepeatsAndScalarIndex() {
      OpGraph g = new OpGraph(17, 116);
      String x = g.input("x", 2, 5, 3);
      String a = g.node("Gather", List.of(x, g.ints(4, 0, 4, -1)), of("axis", 1L));
      String b = g.node("Gather", List.of(x, g.scalarInts(2)), of("axis", 1L));
      String bb = g.node("Unsqueeze", List.of(b, g.ints(1)));
      g.output(g.node("Concat", List.of(a, bb), of("axis", 1L)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void gatherElements() {
      OpGraph g = new OpGraph(17, 117);
      String x = g.input("x", 2, 4, 3);
      String idx = g.intTensor(new long[] {0, 1, 3, 3, 2, 0, 1, 1, 0, 2, 3, 1}, 2, 2, 3);
      g.output(g.node("GatherElements", List.of(x, idx), of("axis", 1L)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void where() {
      OpGraph g = new OpGraph(17, 118);
      String a = g.input("a", 2, 3, 4);
      String b = g.input("b", 3, 1);
      String cond = g.node("Greater", List.of(g.constant(2, 3, 4), g.floats(0f)));
      g.output(g.node("Where", List.of(cond, a, b)));
      GradCheck.assertMatches(g, RTOL);
    }
  }

  @Nested
  class MatrixProducts {
    @Test
    void matmulBatchedBroadcast() {
      OpGraph g = new OpGraph(17, 120);
      String a = g.input("a", 2, 1, 3, 4);
      String b = g.input("b", 3, 4, 5);
      g.output(g.node("MatMul", List.of(a, b)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void matmulWithVector() {
      OpGraph g = new OpGraph(17, 121);
      String a = g.input("a", 2, 3, 4);
      String v = g.input("v", 4);
      String m = g.node("MatMul", List.of(a, v));
      g.output(g.node("Mul", List.of(m, g.constant(2, 3))));
      GradCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void gemm(int trans) {
      OpGraph g = new OpGraph(17, 122 + trans);
      long ta = trans & 1;
      long tb = (trans >> 1) & 1;
      String a = g.input("a", ta == 1 ? new long[] {4, 3} : new long[] {3, 4});
      String b = g.input("b", tb == 1 ? new long[] {5, 4} : new long[] {4, 5});
      String c = g.input("c", 1, 5);
      g.output(g.node("Gemm", List.of(a, b, c), of("alpha", 0.7f), of("beta", 1.3f), of("transA", ta),
          of("transB", tb)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void einsumWithSummedAwayIndex() {
      OpGraph g = new OpGraph(17, 126);
      String a = g.input("a", 2, 3, 4);
      String b = g.input("b", 4, 5);
      g.output(g.node("Einsum", List.of(a, b), of("equation", "bik,kj->bj")));
      GradCheck.assertMatches(g, RTOL);
    }
  }

  @Nested
  class Reductions {
    @Test
    void sumMeanKeepAndDrop() {
      OpGraph g = new OpGraph(17, 130);
      String x = g.input("x", 2, 3, 4, 5);
      String s = g.node("ReduceSum", List.of(x, g.ints(2)), of("keepdims", 0L));
      String m = g.node("ReduceMean", List.of(x), of("axes", new long[] {2, -1}), of("keepdims", 1L));
      String ms = g.node("Squeeze", List.of(m, g.ints(2, 3)));
      String mu = g.node("Unsqueeze", List.of(ms, g.ints(2)));
      g.output(g.node("Add", List.of(s, mu)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void reduceMeanOpset18AxesInput() {
      OpGraph g = new OpGraph(18, 131);
      String x = g.input("x", 2, 3, 4, 5);
      g.output(g.node("ReduceMean", List.of(x, g.ints(1, 3)), of("keepdims", 1L)));
      GradCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ReduceMax", "ReduceMin"})
    void extremes(String op) {
      OpGraph g = new OpGraph(17, op.hashCode());
      String x = g.input("x", Values.distinct(g.rng(), new long[] {2, 3, 4, 2}));
      g.output(g.node(op, List.of(x), of("axes", new long[] {2}), of("keepdims", 1L)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void reduceMaxSplitsTies() {
      // exact ties: PyTorch's amax splits the gradient evenly between them
      OpGraph g = new OpGraph(17, 133);
      String x = g.input("x", new FloatTensor(new float[] {1, 3, 3, 0, 2, 2, 2, 1}, 2, 4));
      String m = g.node("ReduceMax", List.of(x), of("axes", new long[] {1}), of("keepdims", 1L));
      g.output(m);
      FloatTensor grad = GradCheck.gradientWithUnitSeed(g, 0);
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          new float[] {0, 0.5f, 0.5f, 0, 1 / 3f, 1 / 3f, 1 / 3f, 0}, grad.data(), 1e-6f);
    }
  }

  @Nested
  class Resampling {
    @ParameterizedTest
    @ValueSource(strings = {"asymmetric", "half_pixel", "align_corners", "pytorch_half_pixel"})
    void linear3d(String transform) {
      OpGraph g = new OpGraph(17, transform.hashCode());
      String x = g.input("x", 1, 2, 3, 4, 3);
      g.output(g.node("Resize", List.of(x, "", g.floats(1f, 1f, 2f, 2f, 2f)), of("mode", "linear"),
          of("coordinate_transformation_mode", transform)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void linearToNonIntegerSizes() {
      OpGraph g = new OpGraph(17, 140);
      String x = g.input("x", 1, 2, 4, 5, 3);
      g.output(g.node("Resize", List.of(x, "", "", g.ints(1, 2, 7, 9, 8)), of("mode", "linear"),
          of("coordinate_transformation_mode", "pytorch_half_pixel")));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void downsamplingLinear() {
      OpGraph g = new OpGraph(17, 141);
      String x = g.input("x", 1, 1, 9, 8);
      g.output(g.node("Resize", List.of(x, "", "", g.ints(1, 1, 4, 5)), of("mode", "linear")));
      GradCheck.assertMatches(g, RTOL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"floor", "round_prefer_floor", "round_prefer_ceil", "ceil"})
    void nearest(String nearestMode) {
      OpGraph g = new OpGraph(17, nearestMode.hashCode());
      String x = g.input("x", 1, 2, 3, 4, 3);
      g.output(g.node("Resize", List.of(x, "", g.floats(1f, 1f, 2f, 1.5f, 3f)), of("mode", "nearest"),
          of("coordinate_transformation_mode", "asymmetric"), of("nearest_mode", nearestMode)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void nearestIntegerFactorAsExportedByPytorch() {
      OpGraph g = new OpGraph(17, 142);
      String x = g.input("x", 1, 3, 2, 3, 4);
      g.output(g.node("Resize", List.of(x, "", g.floats(1f, 1f, 2f, 2f, 2f)), of("mode", "nearest"),
          of("coordinate_transformation_mode", "asymmetric"), of("nearest_mode", "floor")));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void cubic2d() {
      OpGraph g = new OpGraph(17, 143);
      String x = g.input("x", 1, 2, 4, 5);
      g.output(g.node("Resize", List.of(x, "", g.floats(1f, 1f, 2f, 1.6f)), of("mode", "cubic"),
          of("cubic_coeff_a", -0.75f), of("coordinate_transformation_mode", "half_pixel")));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void upsampleOpset9() {
      OpGraph g = new OpGraph(9, 144);
      String x = g.input("x", 1, 2, 3, 4);
      g.output(g.node("Upsample", List.of(x, g.floats(1f, 1f, 2f, 2f)), of("mode", "linear")));
      GradCheck.assertMatches(g, RTOL);
    }
  }

  @Nested
  class Paths {
    @Test
    void tensorUsedAlongSeveralPathsSumsGradients() {
      OpGraph g = new OpGraph(17, 150);
      String x = g.input("x", 1, 2, 6, 6);
      String a = g.node("Conv", List.of(x, g.constant(2, 2, 3, 3)), of("pads", pads(2, 1)));
      String b = g.node("Mul", List.of(x, x));
      String c = g.node("Add", List.of(a, b));
      g.output(g.node("Add", List.of(c, x)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void twoLayersWhereOneFeedsTheOther() {
      OpGraph g = new OpGraph(17, 151);
      String x = g.input("x", 1, 2, 5, 5);
      String y = g.input("y", 1, 2, 5, 5);
      String a = g.node("Add", List.of(g.node("Tanh", List.of(x)), y));
      g.output(g.node("Mul", List.of(a, y)));
      GradCheck.assertMatches(g, RTOL);
    }
  }

  /** Ops transformer exports add: windowed-attention bias lookups, scatters, masks. */
  @Nested
  class TransformerOps {
    @Test
    void gatherNDWithRepeatedIndexTuples() {
      OpGraph g = new OpGraph(18, 160);
      String x = g.input("x", 4, 3, 2);
      // tuple (1, 2) is read twice: its gradients add up
      String idx = g.intTensor(new long[] {1, 2, 0, 0, 3, 1, 1, 2, 2, 0, 3, 2}, 2, 3, 2);
      g.output(g.node("GatherND", List.of(x, idx)));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void scatterNDIntoDataAndFromUpdates() {
      OpGraph g = new OpGraph(18, 161);
      String x = g.input("x", 4, 3);
      String u = g.input("u", 2, 3);
      String idx = g.intTensor(new long[] {2, 0}, 2, 1);
      String a = g.node("ScatterND", List.of(x, idx, u));
      String b = g.node("ScatterND", List.of(x, idx, u), of("reduction", "add"));
      g.output(g.node("Mul", List.of(a, g.node("Tanh", List.of(b)))));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void triluMasksBothWays() {
      OpGraph g = new OpGraph(18, 162);
      String x = g.input("x", 2, 3, 4, 4);
      String lower = g.node("Trilu", List.of(x, g.scalarInts(-1)), of("upper", 0L));
      String upper = g.node("Trilu", List.of(x), of("upper", 1L));
      g.output(g.node("Add", List.of(lower, g.node("Mul", List.of(upper, upper)))));
      GradCheck.assertMatches(g, RTOL);
    }

    @Test
    void addNeedsNoShapeOfAnInputWithoutGradient() {
      // the second addend is sliced with a bound known only at run time: its shape is [1, ?, 4]
      OpGraph g = new OpGraph(17, 167);
      String x = g.input("x", 2, 3, 4);
      String zero = g.node("Mul", List.of(g.node("ReduceMax", List.of(x), of("keepdims", 0L)), g.floats(0f)));
      String end = g.node("Cast", List.of(g.node("Add", List.of(g.node("Reshape", List.of(zero, g.ints(1))),
          g.floats(3f)))), of("to", (long) DataTypes.INT64));
      String bias = g.node("Slice", List.of(g.constant(1, 5, 4), g.ints(0), end, g.ints(1)));
      g.output(g.node("Add", List.of(g.node("Tanh", List.of(x)), bias)));
      GradCheck.assertMatches(g, RTOL);
    }
  }
}
