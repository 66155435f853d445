package scratch;

import gradcam3d.cam.*;
import gradcam3d.cam.methods.*;
import gradcam3d.onnx.ModelIO;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.volume.Npy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScratchTest {
  @Test
  void time() {
    for (int bs : new int[] {1, 2, 8}) {
    OcclusionSensitivity m = new OcclusionSensitivity(new long[] {8}, 0.5, OcclusionMode.GAUSSIAN, null);
    Explainer.Request req = new Explainer.Request(List.of(), m, List.of(Target.parse("2")), 0,
        gradcam3d.autodiff.GradientSpec.Score.LOGITS, false, bs, Progress.NONE);
    try (Explainer ex = new Explainer(ModelIO.read(Path.of("src/test/resources/fixtures/models/seed_unet3d.onnx")), req, new RuntimeOptions(2))) {
      for (int k = 0; k < 2; k++) {
        long t0 = System.nanoTime();
        Explanation e = ex.explain(Map.of("input", Npy.read(Path.of("src/test/resources/fixtures/inputs/seed_unet3d.npy"))));
        System.out.println("bs " + bs + " run " + k + ": " + (System.nanoTime() - t0) / 1e6 + " ms, occlusion " + e.attribution().cost().seconds());
      }
    }
    }
  }
}
