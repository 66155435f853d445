package gradcam3d.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.cam.Explanation;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Request;
import gradcam3d.cam.Target;
import gradcam3d.cam.methods.OcclusionMode;
import gradcam3d.cam.methods.OcclusionSensitivity;
import gradcam3d.graph.Graph;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.OrtProgram;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.Score;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.Fixtures;
import gradcam3d.volume.Npy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Occlusion of a whole scan through sliding windows against its definition: the seed U-Net's
 * 24x40x32 input seen through 16^3 windows (24 of them, Gaussian blend), occluded by 8^3 boxes
 * that tile it (60, overlap 0, replaced by 0). For a sample of the boxes, the occluded scan is run
 * through the whole sliding-window prediction here (every window, blended by
 * {@link WindowInference#predict} on the plain model) and T = sum over the region fixed from the
 * unperturbed blend of F[class 2]; the explanation's drop inside the box must equal
 * T(x) - T(x occluded), though it re-ran only the windows each box overlaps.
 */
class WindowedOcclusionTest {
  private static final long[] WINDOW = {16, 16, 16};

  @Test
  void dropsEqualTheWholeSlidingWindowPredictionOfEachOccludedScan() {
    ModelProto model = ModelIO.read(Fixtures.ROOT.resolve("models/seed_unet3d.onnx"));
    FloatTensor x = Npy.read(Fixtures.ROOT.resolve("inputs/seed_unet3d.npy"));
    OcclusionSensitivity method = new OcclusionSensitivity(new long[] {8}, 0.0, OcclusionMode.value(0f), null);
    Target target = Target.parse("2");
    Request req = new Request(List.of(), method, List.of(target), 0, Score.LOGITS,
        false, 3, Progress.NONE);
    SlidingWindowExplainer.Settings settings = SlidingWindowExplainer.Settings.of(WINDOW).withWindowBatch(2);
    WindowedExplanation w;
    try (SlidingWindowExplainer sw = new SlidingWindowExplainer(model, req, settings, new RuntimeOptions(2))) {
      w = sw.explain(x, target);
    }
    Explanation e = w.explanation();
    assertEquals(24, w.grid().size());
    assertEquals(WindowedOcclusion.NO_PASS2, w.pass2From());

    String input = Graph.fromModel(model).inputNames().get(0);
    String output = Graph.fromModel(model).outputNames().get(0);
    try (OrtProgram plain = OrtProgram.create(model, new RuntimeOptions(2), "the plain model")) {
      WindowInference.Forward forward = (windows, last) ->
          (FloatTensor) plain.run(Map.of(input, windows), List.of(output)).get(output);
      float[] f0 = WindowInference.predict(x, WINDOW, 0.5, Blend.GAUSSIAN, 4, 0f, forward).data();
      int voxels = 24 * 40 * 32;
      boolean[] region = new boolean[voxels];
      double t0 = 0;
      for (int v = 0; v < voxels; v++) {
        region[v] = f0[2 * voxels + v] > Math.max(f0[v], f0[voxels + v]);
        t0 += region[v] ? f0[2 * voxels + v] : 0;
      }
      assertEquals(t0, e.targetValues().data()[0], 1e-5 * Math.max(1, Math.abs(t0)), "T(x) through the windows");
      float[] drop = e.attribution().values().data();
      double maxDrop = 0;
      for (float d : drop) {
        maxDrop = Math.max(maxDrop, Math.abs(d));
      }
      assertTrue(maxDrop > 1e-3, "occlusion moves the target: " + maxDrop);
      int checked = 0;
      for (int z = 0; z < 24; z += 8) {
        for (int y = (z / 8) * 8; y < 40; y += 16) {
          for (int xs = 0; xs < 32; xs += 24) {
            float[] occluded = x.data().clone();
            for (int i = 0; i < 8; i++) {
              for (int j = 0; j < 8; j++) {
                for (int k = 0; k < 8; k++) {
                  occluded[((z + i) * 40 + y + j) * 32 + xs + k] = 0f;
                }
              }
            }
            float[] f = WindowInference.predict(new FloatTensor(occluded, x.shape()), WINDOW, 0.5, Blend.GAUSSIAN, 4, 0f,
                forward).data();
            double t = 0;
            for (int v = 0; v < voxels; v++) {
              t += region[v] ? f[2 * voxels + v] : 0;
            }
            float ours = drop[((z + 3) * 40 + y + 3) * 32 + xs + 3];
            assertEquals(t0 - t, ours, 1e-4 * maxDrop, "box at " + z + "," + y + "," + xs);
            checked++;
          }
        }
      }
      assertEquals(14, checked);
    }
    // every window reaches the region here: 24 unoccluded passes, then one per (box, window it overlaps)
    assertEquals(24, w.windowsRun());
    long expected = 24;
    for (int i = 0; i < 60; i++) {
      long[] box = {i / 20 * 8, i / 4 % 5 * 8, i % 4 * 8};
      for (int t = 0; t < 24; t++) {
        long[] s = w.grid().start(t);
        boolean overlaps = true;
        for (int a = 0; a < 3; a++) {
          overlaps &= box[a] < s[a] + 16 && s[a] < box[a] + 8;
        }
        expected += overlaps ? 1 : 0;
      }
    }
    assertEquals(expected, e.attribution().cost().forwardPasses(), "only the windows a box overlaps re-run");
    assertTrue(expected < 60L * 24);
  }
}
