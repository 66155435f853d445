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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Slice of a convolution's output channels as the convolution of those channels: the same
 * outputs as ONNX Runtime computing every channel and slicing (op level), forms it must leave
 * alone, and the gradient of a U-Net-like skip connection whose backward slices a Concat.
 */
class ChannelSlicedConvTest {
  private static final RuntimeOptions FAST = new RuntimeOptions(1);

  /** A convolution and the Slice read after it (starts, ends, axes, steps as the Slice's inputs). */
  record Case(String name, String op, long[] in, long[] weight, long[] strides, long[] pads, boolean bias,
      long[] starts, long[] ends, long[] axes, long[] steps, boolean rewritten) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    long max = Long.MAX_VALUE;
    return Stream.of(
        new Case("3d Conv k3 s1 p1, first half, bias", "Conv", n(1, 3, 5, 6, 4), n(8, 3, 3, 3, 3), n(1, 1, 1),
            n(1, 1, 1, 1, 1, 1), true, n(0), n(4), n(1), null, true),
        new Case("3d Conv k3 s2 p1 (a ConvTranspose's input gradient), second half to INT64_MAX", "Conv",
            n(1, 2, 8, 6, 7), n(6, 2, 3, 3, 3), n(2, 2, 2), n(1, 1, 1, 1, 1, 1), false, n(3), n(max), n(1), null,
            true),
        new Case("2d Conv, middle channels, negative axis and negative end, unit step", "Conv", n(2, 4, 7, 5),
            n(10, 4, 3, 3), n(1, 1), n(1, 1, 1, 1), true, n(2), n(-3), n(-3), n(1), true),
        new Case("3d ConvTranspose k3 s2 p1 (a strided Conv's input gradient), first channels", "ConvTranspose",
            n(1, 4, 3, 4, 3), n(4, 6, 3, 3, 3), n(2, 2, 2), n(1, 1, 1, 1, 1, 1), true, n(0), n(2), n(1), null, true),
        new Case("2d ConvTranspose k2 s2, last channels", "ConvTranspose", n(1, 3, 4, 5), n(3, 8, 2, 2), n(2, 2),
            n(0, 0, 0, 0), false, n(5), n(8), n(1), null, true),
        new Case("channels with step 2: left as is", "Conv", n(1, 3, 5, 6, 4), n(8, 3, 3, 3, 3), n(1, 1, 1),
            n(1, 1, 1, 1, 1, 1), true, n(0), n(8), n(1), n(2), false),
        new Case("channels and a spatial axis: left as is", "Conv", n(1, 3, 5, 6, 4), n(8, 3, 3, 3, 3), n(1, 1, 1),
            n(1, 1, 1, 1, 1, 1), true, n(0, 1), n(4, 5), n(1, 2), null, false),
        new Case("a spatial axis only: left as is", "Conv", n(1, 3, 5, 6, 4), n(8, 3, 3, 3, 3), n(1, 1, 1),
            n(1, 1, 1, 1, 1, 1), false, n(1), n(4), n(3), null, false))
        .map(Arguments::of);
  }

  private static OpGraph model(Case c, long seed) {
    OpGraph g = new OpGraph(17, seed);
    String x = g.input("x", c.in());
    List<String> in = new ArrayList<>(List.of(x, g.constant(c.weight())));
    if (c.bias()) {
      in.add(g.constant(c.op().equals("Conv") ? c.weight()[0] : c.weight()[1]));
    }
    String y = g.node(c.op(), in, of("strides", c.strides()), of("pads", c.pads()));
    List<String> slice = new ArrayList<>(List.of(y, g.ints(c.starts()), g.ints(c.ends()), g.ints(c.axes())));
    if (c.steps() != null) {
      slice.add(g.ints(c.steps()));
    }
    g.output(g.node("Slice", slice));
    return g;
  }



  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void slicedConvolutionGivesTheSameChannels(Case c) {
    OpGraph g = model(c, 41);
    ModelProto m = g.model();
    Map<String, FloatTensor> in = g.inputs();
    FastForm.Optimized fast = FastForm.model(m, Map.of("x", in.get("x").shape()));
    assertEquals(c.rewritten() ? 1 : 0, fast.report().channelSlicedConvs());
    if (c.op().equals("Conv")) {
      assertEquals(c.rewritten() ? 0 : 1, count(fast.model(), "Slice")); // (a polyphase form may crop)
    }
    FloatTensor want = run(m, in);
    FloatTensor got = run(fast.model(), in);
    assertArrayEquals(want.shape(), got.shape());
    assertTrue(maxAbs(want) > 0.1, "a non-trivial output");
    // each kept channel sums the same products; the polyphase form of a ConvTranspose reorders them
    float tol = c.op().equals("Conv") ? 0f : 1e-6f * maxAbs(want);
    assertTrue(maxAbsDiff(got, want) <= tol, "max difference " + maxAbsDiff(got, want));
  }

  @Test
  void convolutionReadTwiceIsLeftAlone() {
    OpGraph g = new OpGraph(17, 5);
    String x = g.input("x", 1, 2, 4, 5, 3);
    String y = g.node("Conv", List.of(x, g.constant(6, 2, 3, 3, 3)), of("pads", n(1, 1, 1, 1, 1, 1)));
    String half = g.node("Slice", List.of(y, g.ints(0), g.ints(3), g.ints(1)));
    g.output(g.node("Add", List.of(half, g.node("Slice", List.of(y, g.ints(3), g.ints(6), g.ints(1))))));
    FastForm.Optimized fast = FastForm.model(g.model(), Map.of("x", g.inputs().get("x").shape()));
    assertEquals(0, fast.report().channelSlicedConvs());
    assertEquals(0f, maxAbsDiff(run(fast.model(), g.inputs()), run(g.model(), g.inputs())));
  }

  @Test
  void groupedConvolutionIsLeftAlone() {
    OpGraph g = new OpGraph(17, 6);
    String x = g.input("x", 1, 4, 4, 5, 3);
    String y = g.node("Conv", List.of(x, g.constant(6, 2, 3, 3, 3)), of("pads", n(1, 1, 1, 1, 1, 1)),
        of("group", 2L));
    g.output(g.node("Slice", List.of(y, g.ints(0), g.ints(3), g.ints(1))));
    FastForm.Optimized fast = FastForm.model(g.model(), Map.of("x", g.inputs().get("x").shape()));
    assertEquals(0, fast.report().channelSlicedConvs());
  }

  /**
   * x -> a (Conv, before the layer) -> layer (Mul) -> LeakyRelu -> Concat(., a) -> ConvTranspose
   * -> Conv -> output: the backward of the Concat keeps the layer's half of the up-sampling's
   * input gradient, and the compiled fast program computes only that half.
   */
  @Test
  void skipConnectionGradientIsTheSameWithTheHalfConvolution() {
    OpGraph g = new OpGraph(17, 77);
    String x = g.input("x", 1, 2, 6, 5, 6);
    String a = g.node("Conv", List.of(x, g.constant(4, 2, 3, 3, 3), g.constant(4)), of("pads", n(1, 1, 1, 1, 1, 1)));
    String layer = g.node("Mul", List.of(a, g.constant(1, 4, 1, 1, 1)));
    String h = g.node("LeakyRelu", List.of(layer), of("alpha", 0.1f));
    String cat = g.node("Concat", List.of(h, a), of("axis", 1L));
    String up = g.node("ConvTranspose", List.of(cat, g.constant(8, 3, 3, 3, 3), g.constant(3)),
        of("strides", n(2, 2, 2)), of("pads", n(1, 1, 1, 1, 1, 1)), of("output_padding", n(1, 1, 1)));
    g.output(g.node("Conv", List.of(up, g.constant(2, 3, 3, 3, 3)), of("pads", n(1, 1, 1, 1, 1, 1))));
    ModelProto m = g.model();
    Map<String, FloatTensor> in = g.inputs();
    Map<String, long[]> shapes = Map.of("x", in.get("x").shape());
    GradientEngine.Config config = GradientEngine.Config.of(LayerSpec.names(layer));
    try (GradientEngine stock = new GradientEngine(m, config, STOCK);
        GradientEngine fast = new GradientEngine(m, config, FAST)) {
      long[] os = stock.outputShape(shapes);
      GradientEngine.Seed seed = new GradientEngine.Seed(OpGraph.Values.uniform(new java.util.Random(3), os, -1, 1),
          FloatTensor.zeros(os[0], os[1]));
      GradientEngine.Result want = stock.run(in, seed);
      GradientEngine.Result got = fast.run(in, seed);
      assertTrue(maxAbs(want.gradient(0)) > 0.1, "a non-trivial gradient");
      float tol = 1e-5f * maxAbs(want.gradient(0));
      assertTrue(maxAbsDiff(got.gradient(0), want.gradient(0)) <= tol,
          "gradient differs by " + maxAbsDiff(got.gradient(0), want.gradient(0)));
      assertEquals(1, count(stock.program(shapes).toModel(), "Slice"), "the Concat's backward slices");
      assertEquals(0, count(fast.program(shapes).toModel(), "Slice"), "the fast form slices the weights instead");
    }
  }
}
