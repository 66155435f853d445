package gradcam3d.runtime;

import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.Fixtures;
import gradcam3d.testing.Fixtures.Case;
import gradcam3d.volume.Npy;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Activations and gradients of every fixture case against PyTorch's. */
class FixtureGradientTest {
  static Stream<Case> cases() {
    return Stream.concat(Fixtures.gradientCases().stream(),
        Fixtures.gradientCases(Fixtures.ARCHITECTURES).stream());
  }

  /** The seed of a manifest target, built by hand (independently of the cam package). */
  static GradientEngine.Seed seedFor(Case c, long[] os) {
    FloatTensor weights = FloatTensor.zeros(os);
    FloatTensor gate = FloatTensor.zeros(os[0], os[1]);
    long batch = os[0];
    long classes = os[1];
    int voxels = (int) (weights.size() / (batch * classes));
    if (!c.isSegmentation()) {
      java.util.Arrays.fill(weights.data(), 1f);
      java.util.Arrays.fill(gate.data(), 1f);
      return new GradientEngine.Seed(weights, gate);
    }
    int k = c.targetClass();
    float[] mask = c.maskKind().equals("mask") ? Npy.read(c.maskNpy()).data() : null;
    for (int b = 0; b < batch; b++) {
      for (int v = 0; v < voxels; v++) {
        weights.data()[(int) ((b * classes + k) * voxels + v)] = mask == null ? 1f : (mask[v] > 0 ? 1f : 0f);
      }
      gate.data()[(int) (b * classes + k)] = mask == null ? 1f : 0f;
    }
    return new GradientEngine.Seed(weights, gate);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void activationAndGradientMatchPytorch(Case c) {
    FloatTensor x = Npy.read(c.inputNpy());
    try (GradientEngine engine = new GradientEngine(ModelIO.read(c.model()),
        GradientEngine.Config.builder(LayerSpec.names(c.layerSpec())).modelOutput(c.modelOutput()).build(),
        new RuntimeOptions(2))) {
      long[] os = engine.outputShape(Map.of("input", x.shape()));
      GradientEngine.Result r = engine.run(Map.of("input", x), seedFor(c, os));
      FloatTensor a = c.expected("activation");
      FloatTensor g = c.expected("gradient");
      double aErr = maxAbsDiff(r.activation(0), a);
      double gErr = maxAbsDiff(r.gradient(0), g);
      assertTrue(aErr <= 1e-3 * maxAbs(a), c + ": activation max|diff| " + aErr + " vs max|ref| " + maxAbs(a));
      assertTrue(gErr <= 1e-3 * maxAbs(g), c + ": gradient max|diff| " + gErr + " vs max|ref| " + maxAbs(g));
      if (c.targetValue() != null) {
        double t = 0;
        for (float v : r.targetValues().data()) {
          t += v;
        }
        assertEquals(c.targetValue(), t, 1e-4 * Math.max(1, Math.abs(c.targetValue())), c + ": target value");
      }
    }
  }
}
