package gradcam3d.optimize;

import static gradcam3d.optimize.StockRuns.STOCK;
import static gradcam3d.optimize.StockRuns.count;
import static gradcam3d.optimize.StockRuns.run;

import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PRelu with one slope as LeakyRelu: same outputs and gradients; per-channel slopes stay PRelu. */
class ScalarPReluTest {

  /** x -> Mul (the layer) -> PRelu(slope of the given shape) -> output, on 2D or 3D input. */
  private static OpGraph model(int spatialDims, long[] slopeShape, float[] slope) {
    OpGraph g = new OpGraph(17, 31 + spatialDims);
    long[] xs = spatialDims == 2 ? new long[] {1, 3, 6, 5} : new long[] {1, 3, 4, 5, 3};
    String x = g.input("x", xs);
    long[] scale = new long[xs.length];
    java.util.Arrays.fill(scale, 1);
    scale[1] = 3;
    String h = g.node("Mul", List.of(x, g.constant(scale)));
    g.output(g.node("PRelu", List.of(h, g.constant(new FloatTensor(slope, slopeShape)))));
    return g;
  }



  @ParameterizedTest(name = "{0}D")
  @ValueSource(ints = {2, 3})
  void scalarSlopeBecomesLeakyReluWithTheSameOutputsAndGradients(int d) {
    OpGraph g = model(d, new long[] {1, 1, 1}, new float[] {0.25f});
    ModelProto m = g.model();
    Map<String, FloatTensor> in = g.inputs();
    Map<String, long[]> shapes = Map.of("x", in.get("x").shape());
    FastForm.Optimized fast = FastForm.model(m, shapes);
    assertEquals(1, fast.report().scalarPRelus());
    assertEquals(0, count(fast.model(), "PRelu"));
    FloatTensor want = run(m, in);
    FloatTensor got = run(fast.model(), in);
    assertEquals(0f, maxAbsDiff(got, want), "LeakyRelu computes exactly what PRelu computes");
    String layer = m.getGraph().getNode(0).getOutput(0);
    GradientEngine.Config config = GradientEngine.Config.of(LayerSpec.names(layer));
    try (GradientEngine stock = new GradientEngine(m, config, STOCK);
        GradientEngine rewritten = new GradientEngine(fast.model(), config, STOCK);
        GradientEngine compiled = new GradientEngine(m, config, new RuntimeOptions(1))) {
      long[] os = stock.outputShape(shapes);
      GradientEngine.Seed seed = new GradientEngine.Seed(OpGraph.Values.uniform(g.rng(), os, -1, 1),
          FloatTensor.zeros(os[0], os[1]));
      FloatTensor wantGrad = stock.run(in, seed).gradient(0);
      assertTrue(maxAbs(wantGrad) > 0.1);
      // some inputs are negative, so the slope matters: gradient = seed * 0.25 * scale there
      assertEquals(0f, maxAbsDiff(rewritten.run(in, seed).gradient(0), wantGrad));
      assertEquals(0f, maxAbsDiff(compiled.run(in, seed).gradient(0), wantGrad));
    }
  }

  @ParameterizedTest(name = "{0}D")
  @ValueSource(ints = {2, 3})
  void perChannelSlopesAreLeftAlone(int d) {
    OpGraph g = model(d, new long[] {3, 1, 1}, new float[] {0.1f, 0.2f, 0.3f});
    FastForm.Optimized fast = FastForm.model(g.model(), Map.of("x", g.inputs().get("x").shape()));
    assertEquals(0, fast.report().total());
    assertEquals(1, count(fast.model(), "PRelu"));
  }
}
