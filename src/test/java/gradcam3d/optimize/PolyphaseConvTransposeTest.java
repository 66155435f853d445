package gradcam3d.optimize;

import static gradcam3d.optimize.StockRuns.STOCK;
import static gradcam3d.optimize.StockRuns.count;
import static gradcam3d.optimize.StockRuns.n;
import static gradcam3d.optimize.StockRuns.run;

import static gradcam3d.onnx.Attributes.of;
import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.onnx.proto.Onnx.NodeProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.OrtProgram;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.OpGraph;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The polyphase form of ConvTranspose against ONNX Runtime's own ConvTranspose: model outputs,
 * and gradients of a target through it (rewritten before differentiation, and inside the compiled
 * program where the backward of a strided Conv is itself a ConvTranspose).
 */
class PolyphaseConvTransposeTest {
  private static final RuntimeOptions FAST = new RuntimeOptions(1);

  /** A ConvTranspose geometry on an input of the given spatial size. */
  record Case(String name, long[] in, int cin, int cout, long[] kernel, long[] strides, long[] pads,
      long[] outputPadding, int group, boolean bias) {
    int d() {
      return in.length;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        new Case("3d k3 s2 p1 op1 (MONAI up-sampling), even", n(6, 6, 6), 4, 3, n(3, 3, 3), n(2, 2, 2),
            n(1, 1, 1, 1, 1, 1), n(1, 1, 1), 1, true),
        new Case("3d k3 s2 p1 op1, 32 output channels (one Conv per phase)", n(4, 3, 5), 8, 32, n(3, 3, 3),
            n(2, 2, 2), n(1, 1, 1, 1, 1, 1), n(1, 1, 1), 1, true),
        new Case("2d k3 s2 p1, odd, 48 output channels in 2 groups (one Conv per phase)", n(5, 7), 4, 48,
            n(3, 3), n(2, 2), n(1, 1, 1, 1), n(0, 0), 2, true),
        new Case("3d k3 s2 p1 op1, odd", n(5, 7, 3), 3, 2, n(3, 3, 3), n(2, 2, 2),
            n(1, 1, 1, 1, 1, 1), n(1, 1, 1), 1, true),
        new Case("3d k2 s2 no padding, odd", n(3, 5, 4), 4, 3, n(2, 2, 2), n(2, 2, 2),
            n(0, 0, 0, 0, 0, 0), n(0, 0, 0), 1, false),
        new Case("3d k3 s2 p1 no output_padding, grouped", n(4, 5, 3), 4, 6, n(3, 3, 3), n(2, 2, 2),
            n(1, 1, 1, 1, 1, 1), n(0, 0, 0), 2, true),
        new Case("3d anisotropic k(3,2,4) s(2,1,3) asymmetric pads", n(3, 4, 3), 2, 2, n(3, 2, 4), n(2, 1, 3),
            n(1, 0, 2, 0, 1, 1), n(1, 0, 2), 1, true),
        new Case("3d k1 s2 (phases without taps), grouped", n(3, 4, 5), 4, 4, n(1, 1, 1), n(2, 2, 2),
            n(0, 0, 0, 0, 0, 0), n(1, 0, 1), 4, true),
        new Case("2d k3 s2 p1 op1, even", n(8, 6), 3, 5, n(3, 3), n(2, 2), n(1, 1, 1, 1), n(1, 1), 1, true),
        new Case("2d k4 s2 p1, odd, grouped", n(5, 7), 6, 4, n(4, 4), n(2, 2), n(1, 1, 1, 1), n(0, 0), 2, false),
        new Case("2d k5 s3 p2 op2", n(4, 5), 2, 3, n(5, 5), n(3, 3), n(2, 2, 2, 2), n(2, 1), 1, true),
        new Case("2d k3 s1 p1 (plain transposed conv)", n(5, 6), 3, 2, n(3, 3), n(1, 1), n(1, 1, 1, 1),
            n(0, 0), 1, true))
        .map(Arguments::of);
  }

  /** x -> Mul (the layer) -> ConvTranspose -> [strided Conv] -> output. */
  private static ModelProto model(Case c, long seed, boolean strideConvAfter, String[] layer) {
    OpGraph g = new OpGraph(17, seed);
    long[] xs = new long[2 + c.d()];
    xs[0] = 1;
    xs[1] = c.cin();
    System.arraycopy(c.in(), 0, xs, 2, c.d());
    String x = g.input("x", xs);
    long[] scaleShape = new long[xs.length];
    java.util.Arrays.fill(scaleShape, 1);
    scaleShape[1] = c.cin();
    String h = g.node("Mul", List.of(x, g.constant(scaleShape)));
    layer[0] = h;
    long[] ws = new long[2 + c.d()];
    ws[0] = c.cin();
    ws[1] = c.cout() / c.group();
    System.arraycopy(c.kernel(), 0, ws, 2, c.d());
    List<String> in = new ArrayList<>(List.of(h, g.constant(ws)));
    if (c.bias()) {
      in.add(g.constant(c.cout()));
    }
    String y = g.node("ConvTranspose", in, of("strides", c.strides()), of("pads", c.pads()),
        of("output_padding", c.outputPadding()), of("group", (long) c.group()));
    if (strideConvAfter) {
      long[] w2 = new long[2 + c.d()];
      w2[0] = 2;
      w2[1] = c.cout();
      java.util.Arrays.fill(w2, 2, w2.length, 3);
      long[] s2 = new long[c.d()];
      java.util.Arrays.fill(s2, 2);
      long[] p2 = new long[2 * c.d()];
      java.util.Arrays.fill(p2, 1);
      y = g.node("Conv", List.of(y, g.constant(w2)), of("strides", s2), of("pads", p2));
    }
    g.output(y);
    return withInputs(g.model(), g.inputs());
  }

  private static final Map<ModelProto, Map<String, FloatTensor>> INPUTS = new java.util.IdentityHashMap<>();

  private static ModelProto withInputs(ModelProto m, Map<String, FloatTensor> in) {
    INPUTS.put(m, in);
    return m;
  }



  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rewrittenModelGivesTheSameOutputs(Case c) {
    ModelProto m = model(c, 11, false, new String[1]);
    Map<String, FloatTensor> in = INPUTS.get(m);
    FastForm.Optimized fast = FastForm.model(m, Map.of("x", in.get("x").shape()));
    assertEquals(1, fast.report().convTransposes());
    assertEquals(0, count(fast.model(), "ConvTranspose"), "no ConvTranspose left");
    FloatTensor want = run(m, in);
    FloatTensor got = run(fast.model(), in);
    assertArrayEquals(want.shape(), got.shape());
    assertTrue(maxAbs(want) > 0.1, "a non-trivial output");
    assertTrue(maxAbsDiff(got, want) <= 1e-5 * maxAbs(want), "max difference " + maxAbsDiff(got, want));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradientsMatchBeforeAndAfterDifferentiation(Case c) {
    String[] layer = new String[1];
    ModelProto m = model(c, 23, true, layer);
    Map<String, FloatTensor> in = INPUTS.get(m);
    Map<String, long[]> shapes = Map.of("x", in.get("x").shape());
    ModelProto rewrittenForward = FastForm.model(m, shapes).model();
    GradientEngine.Config config = GradientEngine.Config.of(LayerSpec.names(layer[0]));
    try (GradientEngine stock = new GradientEngine(m, config, STOCK);
        GradientEngine compiledFast = new GradientEngine(m, config, FAST);
        GradientEngine forwardFast = new GradientEngine(rewrittenForward, config, STOCK)) {
      long[] os = stock.outputShape(shapes);
      OpGraph seeds = new OpGraph(17, 99);
      GradientEngine.Seed seed = new GradientEngine.Seed(OpGraph.Values.uniform(seeds.rng(), os, -1, 1),
          FloatTensor.zeros(os[0], os[1]));
      GradientEngine.Result want = stock.run(in, seed);
      assertTrue(maxAbs(want.gradient(0)) > 0.1, "a non-trivial gradient");
      for (GradientEngine fast : List.of(compiledFast, forwardFast)) {
        GradientEngine.Result got = fast.run(in, seed);
        float gradTol = 1e-5f * maxAbs(want.gradient(0));
        assertTrue(maxAbsDiff(got.gradient(0), want.gradient(0)) <= gradTol,
            "gradient differs by " + maxAbsDiff(got.gradient(0), want.gradient(0)));
        assertTrue(maxAbsDiff(got.modelOutput(), want.modelOutput()) <= 1e-5f * maxAbs(want.modelOutput()));
        assertEquals(want.targetValues().data()[0], got.targetValues().data()[0],
            1e-5 * Math.abs(want.targetValues().data()[0]) + 1e-6);
      }
      ModelProto compiled = compiledFast.program(shapes).toModel();
      assertEquals(0, count(compiled, "ConvTranspose"),
          "forward ConvTranspose and the strided Conv's backward ConvTranspose both rewritten");
    }
  }
}
