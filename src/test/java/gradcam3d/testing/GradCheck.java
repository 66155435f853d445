package gradcam3d.testing;

import static gradcam3d.testing.Tensors.maxAbs;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.OrtProgram;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Checks the compiled backward graph against central finite differences of ONNX Runtime forward
 * runs. The target is T = sum(seed * y) with a random seed; T's change is summed element by
 * element in double so float32 rounding of unaffected outputs cancels exactly.
 */
public final class GradCheck {
  private GradCheck() {}

  /** Max |analytic - numeric| over the checked elements, relative to max |analytic|. */
  public record Report(double maxError, double scale, int checked) {}

  public static Report check(OpGraph graph, double h, int samplesPerInput) {
    ModelProto model = graph.model();
    Map<String, FloatTensor> inputs = graph.inputs();
    List<String> names = new ArrayList<>(inputs.keySet());
    RuntimeOptions opts = new RuntimeOptions(1);
    try (GradientEngine engine = new GradientEngine(model,
            GradientEngine.Config.builder(LayerSpec.names(names)).tensors(true, true).build(), opts);
        OrtProgram plain = OrtProgram.create(model, opts, "test model")) {
      Map<String, long[]> shapes = new LinkedHashMap<>();
      inputs.forEach((k, v) -> shapes.put(k, v.shape()));
      long[] os = engine.outputShape(shapes);
      Random rng = new Random(7);
      FloatTensor seed = OpGraph.Values.uniform(rng, os, -1, 1);
      FloatTensor gate = FloatTensor.zeros(os[0], os[1]);
      GradientEngine.Result r = engine.run(inputs, new GradientEngine.Seed(seed, gate));
      String out = model.getGraph().getOutput(0).getName();
      double maxErr = 0;
      double scale = 0;
      int checked = 0;
      for (int li = 0; li < names.size(); li++) {
        FloatTensor g = r.gradient(li);
        scale = Math.max(scale, maxAbs(g));
        FloatTensor x = inputs.get(names.get(li));
        int n = x.size();
        List<Integer> idx = new ArrayList<>();
        if (n <= samplesPerInput) {
          for (int i = 0; i < n; i++) {
            idx.add(i);
          }
        } else {
          for (int i = 0; i < samplesPerInput; i++) {
            idx.add(rng.nextInt(n));
          }
        }
        for (int i : idx) {
          FloatTensor plus = perturbed(x, i, h);
          FloatTensor minus = perturbed(x, i, -h);
          Map<String, Object> fp = new LinkedHashMap<>(inputs);
          fp.put(names.get(li), plus);
          Map<String, Object> fm = new LinkedHashMap<>(inputs);
          fm.put(names.get(li), minus);
          float[] yp = ((FloatTensor) plain.run(fp, List.of(out)).get(out)).data();
          float[] ym = ((FloatTensor) plain.run(fm, List.of(out)).get(out)).data();
          double dt = 0;
          for (int k = 0; k < yp.length; k++) {
            dt += seed.data()[k] * ((double) yp[k] - ym[k]);
          }
          double numeric = dt / (2 * h);
          maxErr = Math.max(maxErr, Math.abs(numeric - g.data()[i]));
          checked++;
        }
      }
      return new Report(maxErr, scale, checked);
    }
  }

  /** The gradient of sum(y) with respect to input {@code index} (seed of ones, no gate). */
  public static FloatTensor gradientWithUnitSeed(OpGraph graph, int index) {
    List<String> names = new ArrayList<>(graph.inputs().keySet());
    try (GradientEngine engine = new GradientEngine(graph.model(),
        GradientEngine.Config.builder(LayerSpec.names(names)).tensors(true, true).build(), new RuntimeOptions(1))) {
      Map<String, long[]> shapes = new LinkedHashMap<>();
      graph.inputs().forEach((k, v) -> shapes.put(k, v.shape()));
      long[] os = engine.outputShape(shapes);
      FloatTensor ones = FloatTensor.zeros(os);
      java.util.Arrays.fill(ones.data(), 1f);
      GradientEngine.Result r = engine.run(graph.inputs(),
          new GradientEngine.Seed(ones, FloatTensor.zeros(os[0], os[1])));
      return r.gradient(index);
    }
  }

  private static FloatTensor perturbed(FloatTensor x, int i, double h) {
    float[] d = x.data().clone();
    d[i] = (float) (d[i] + h);
    return new FloatTensor(d, x.shape());
  }

  /** Asserts the gradient matches finite differences to rtol of its scale (and is not zero). */
  public static void assertMatches(OpGraph graph, double rtol) {
    Report rep = check(graph, 1e-2, 48);
    if (rep.scale() == 0) {
      fail("analytic gradient is zero everywhere: the check would prove nothing");
    }
    double tol = rtol * Math.max(rep.scale(), 1e-3) + 2e-4;
    assertTrue(rep.maxError() <= tol, "max |analytic - numeric| = " + rep.maxError() + " > " + tol
        + " (gradient scale " + rep.scale() + ", " + rep.checked() + " elements checked)");
  }
}
