package gradcam3d.testing;

import static gradcam3d.testing.Tensors.maxAbs;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gradcam3d.autodiff.Backprop;
import gradcam3d.autodiff.GradientProgram.LayerGradient;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.LayerSpec;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Checks second-order gradients: the Hessian-vector product H v of T = sum(seed * y) with respect
 * to the graph's one input x, computed by differentiating the compiled gradient graph a second
 * time ({@link Backprop#vjp}), against central finite differences of the first-order gradient,
 * (g(x + h v) - g(x - h v)) / 2h, each g itself from the compiled gradient graph. The direction v
 * is random, or x itself (held fixed while differentiating, as Shapley-CAM's grad_outputs=A).
 */
public final class HvpCheck {
  private HvpCheck() {}

  /** max |analytic - numeric| and max |analytic| over every element of H v. */
  public record Report(double maxError, double scale, FloatTensor hvp) {}

  /** The direction of the product. */
  public enum Direction {
    RANDOM, INPUT_ITSELF
  }

  private static final String HVP = "test_hvp_";

  /** Both directions from one compiled program with the two products and one first-order program. */
  public static Map<Direction, Report> check(OpGraph graph, double h) {
    Map<String, FloatTensor> inputs = graph.inputs();
    if (inputs.size() != 1) {
      throw new IllegalArgumentException("one differentiated input");
    }
    String x = inputs.keySet().iterator().next();
    FloatTensor xv = inputs.get(x);
    FloatTensor random = OpGraph.Values.uniform(new Random(11), xv.shape(), -1, 1);
    RuntimeOptions opts = new RuntimeOptions(1);
    GradientEngine.Config second = GradientEngine.Config.builder(LayerSpec.names(x)).tensors(true, true)
        .extension(p -> {
          GraphBuilder b = p.builder();
          LayerGradient l = p.layers().get(0);
          for (Direction d : Direction.values()) {
            String vector = d == Direction.INPUT_ITSELF ? l.activation() : b.constFloats(random.data(), random.shape());
            String hvp = Backprop.vjp(b, l.gradient(), vector, l.activation());
            b.opNamed("Identity", List.of(hvp), List.of(HVP + d));
            p.addOutput(HVP + d);
          }
        }).build();
    Map<Direction, Report> reports = new java.util.EnumMap<>(Direction.class);
    try (GradientEngine withHvp = new GradientEngine(graph.model(), second, opts);
        GradientEngine first = new GradientEngine(graph.model(),
            GradientEngine.Config.builder(LayerSpec.names(x)).tensors(true, true).build(), opts)) {
      long[] os = first.outputShape(Map.of(x, xv.shape()));
      FloatTensor seedValues = OpGraph.Values.uniform(new Random(7), os, -1, 1);
      GradientEngine.Seed seed = new GradientEngine.Seed(seedValues, FloatTensor.zeros(os[0], os[1]));
      GradientEngine.Result products = withHvp.run(Map.of(x, xv), seed);
      for (Direction d : Direction.values()) {
        FloatTensor v = d == Direction.INPUT_ITSELF ? xv : random;
        FloatTensor hvp = products.floats(HVP + d);
        FloatTensor gp = first.run(Map.of(x, shifted(xv, v, h)), seed).gradient(0);
        FloatTensor gm = first.run(Map.of(x, shifted(xv, v, -h)), seed).gradient(0);
        double maxErr = 0;
        for (int i = 0; i < hvp.size(); i++) {
          double numeric = ((double) gp.data()[i] - gm.data()[i]) / (2 * h);
          maxErr = Math.max(maxErr, Math.abs(numeric - hvp.data()[i]));
        }
        reports.put(d, new Report(maxErr, maxAbs(hvp), hvp));
      }
    }
    return reports;
  }

  private static FloatTensor shifted(FloatTensor x, FloatTensor v, double h) {
    float[] d = x.data().clone();
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) (d[i] + h * v.data()[i]);
    }
    return new FloatTensor(d, x.shape());
  }

  /** Asserts H v matches finite differences to rtol of its scale, for both directions, and is not zero. */
  public static void assertMatches(OpGraph graph, double rtol) {
    Map<Direction, Report> reports = check(graph, 1e-2);
    for (Direction d : Direction.values()) {
      Report r = reports.get(d);
      if (r.scale() == 0) {
        fail("Hessian-vector product (" + d + ") is zero everywhere: the check would prove nothing");
      }
      double tol = rtol * Math.max(r.scale(), 1e-3) + 2e-4;
      assertTrue(r.maxError() <= tol, "direction " + d + ": max |analytic - numeric| = " + r.maxError() + " > "
          + tol + " (scale " + r.scale() + ")");
    }
  }

  /**
   * Asserts H v is exactly zero (a piecewise-linear graph: no second-order path at all) while the
   * gradient itself is not.
   */
  public static void assertExactlyZero(OpGraph graph) {
    assertTrue(maxAbs(GradCheck.gradientWithUnitSeed(graph, 0)) > 0, "the gradient itself is zero");
    Map<Direction, Report> reports = check(graph, 1e-2);
    for (Direction d : Direction.values()) {
      Report r = reports.get(d);
      assertTrue(r.scale() == 0, "direction " + d + ": max |H v| = " + r.scale() + ", expected exactly 0");
    }
  }
}
