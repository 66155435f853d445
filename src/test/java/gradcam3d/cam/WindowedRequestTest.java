package gradcam3d.cam;

import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import gradcam3d.cam.methods.CamMethods;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.Fixtures;
import gradcam3d.volume.Npy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request for the windows of a sliding-window explanation (ungated programs, no per-window
 * region) explains a window's target exactly as a whole-input request does: the same maps and
 * target, bitwise; only the region and predicted voxels (and, for a gradient method, the target's
 * value) are left out.
 */
class WindowedRequestTest {
  @ParameterizedTest
  @ValueSource(strings = {"gradcam", "eigencam"})
  void aWindowedRequestGivesTheSameMapsWithoutARegion(String method) {
    ModelProto model = ModelIO.read(Fixtures.ROOT.resolve("models/seed_unet3d.onnx"));
    FloatTensor x = Npy.read(Fixtures.ROOT.resolve("inputs/seed_unet3d.npy"));
    long[] spatial = java.util.Arrays.copyOfRange(x.shape(), 2, x.shape().length);
    float[] weight = new float[(int) gradcam3d.tensor.Shapes.numel(spatial)];
    for (int v = 0; v < weight.length; v++) {
      weight[v] = 0.25f + (v % 7) / 8f;
    }
    // a window's target: a box of class 1 weighted voxel by voxel (its gate is off)
    Target t = new WindowedTarget(Target.parse("1:box=2,3,1,12,14,9"), new FloatTensor(weight, spatial));
    Request whole = Request.builder(LayerSpec.names("down3"), CamMethods.byName(method), t).build();
    Request windowed = whole.toBuilder().windowed().build();
    try (Explainer a = new Explainer(model, whole, new RuntimeOptions(1));
        Explainer b = new Explainer(model, windowed, new RuntimeOptions(1))) {
      Explanation ea = a.explainResized(Map.of("input", x), List.of(t));
      Explanation eb = b.explainResized(Map.of("input", x), List.of(t));
      assertEquals(0.0, maxAbsDiff(ea.layers().get(0).cam(), eb.layers().get(0).cam()));
      assertEquals(0.0, maxAbsDiff(ea.layers().get(0).camLayer(), eb.layers().get(0).camLayer()));
      if (windowed.method().usesGradients()) {
        // the window's value is read from the blend: its program leaves the value out
        assertNull(eb.targetValues(), "no target value per window");
      } else {
        assertEquals(0.0, maxAbsDiff(ea.targetValues(), eb.targetValues()));
      }
      assertEquals(ea.regionVoxels()[0], eb.regionVoxels()[0]);
      assertNotNull(ea.region());
      assertNull(eb.region(), "no region per window");
      assertNull(eb.predictedVoxels(), "no predicted voxels per window");
    }
  }
}
