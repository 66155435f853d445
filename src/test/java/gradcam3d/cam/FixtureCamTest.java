package gradcam3d.cam;

import gradcam3d.cam.methods.CamMethods;
import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.Fixtures;
import gradcam3d.testing.Fixtures.Case;
import gradcam3d.volume.Npy;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every fixture case through the Java API: cam_layer and cam against PyTorch's. */
class FixtureCamTest {
  static Stream<Case> cases() {
    return Stream.concat(Fixtures.cases().stream(), Fixtures.cases(Fixtures.ARCHITECTURES).stream());
  }

  static Target targetOf(Case c) {
    if (!c.isSegmentation()) {
      return Target.parse("argmax");
    }
    if (c.maskKind().equals("mask")) {
      return Target.parse(c.targetClass() + ":mask=" + c.maskNpy()).withMask(Npy.read(c.maskNpy()));
    }
    return Target.parse(Integer.toString(c.targetClass()));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void camMatchesPytorch(Case c) {
    FloatTensor x = Npy.read(c.inputNpy());
    Request req = Request.builder(LayerSpec.names(c.layerSpec()), CamMethods.byName(c.method()),
        targetOf(c))
        .modelOutput(c.modelOutput()).batchSize(8).build();
    try (Explainer ex = new Explainer(ModelIO.read(c.model()), req, new RuntimeOptions(2))) {
      Explanation e = ex.explain(Map.of("input", x));
      FloatTensor camLayer = e.layers().get(0).camLayer();
      FloatTensor refLayer = c.expected("cam_layer");
      double layerErr = maxAbsDiff(camLayer, refLayer);
      double camErr = maxAbsDiff(e.cam(), c.expected("cam"));
      System.out.printf("%-55s cam_layer %.2e (max|ref| %.2e)  cam %.2e%n", c.name(), layerErr,
          maxAbs(refLayer), camErr);
      assertTrue(layerErr <= 2e-3 * Math.max(1, maxAbs(refLayer)),
          c + ": cam_layer max|diff| " + layerErr + " (max|ref| " + maxAbs(refLayer) + ")");
      assertTrue(camErr <= 2e-3, c + ": cam max|diff| " + camErr);
      FloatTensor weights = c.expected("weights");
      if (weights != null) {
        float[][] w = e.layers().get(0).channelWeights();
        double werr = 0;
        for (int b = 0; b < w.length; b++) {
          for (int k = 0; k < w[b].length; k++) {
            werr = Math.max(werr, Math.abs(w[b][k] - weights.data()[b * w[b].length + k]));
          }
        }
        assertTrue(werr <= 1e-4, c + ": scorecam weights max|diff| " + werr);
      }
    }
  }
}
