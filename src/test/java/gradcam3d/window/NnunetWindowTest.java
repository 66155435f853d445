package gradcam3d.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.testing.Tensors;
import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * nnU-Net v2's sliding-window blend ({@link Blend#NNUNET}) against its own functions
 * (src/test/resources/nnunet/tools/make_nnunet_cases.py: compute_steps_for_sliding_window,
 * pad_nd_image, compute_gaussian, float64): a toy network whose output depends on where a voxel sits
 * in its window, over a volume whose first axis is shorter than the patch (padded on both sides).
 */
class NnunetWindowTest {
  private static final Path DIR = Path.of("src/test/resources/nnunet");

  /** The generator's toy network: (C, *patch) -> (2, *patch), position-dependent. */
  static FloatTensor toy(FloatTensor windows, long[] patch) {
    int n = (int) windows.dim(0);
    int voxels = (int) (patch[0] * patch[1] * patch[2]);
    float[] in = windows.data();
    float[] out = new float[n * 2 * voxels];
    for (int b = 0; b < n; b++) {
      for (int v = 0; v < voxels; v++) {
        long p0 = v / (patch[1] * patch[2]);
        long p1 = (v / patch[2]) % patch[1];
        long p2 = v % patch[2];
        double w = in[b * voxels + v];
        out[(b * 2) * voxels + v] = (float) (w * (1 + 0.1 * p0) + 0.05 * p2);
        out[(b * 2 + 1) * voxels + v] = (float) (Math.tanh(w) * (1 + 0.03 * p1) - 0.02 * p0);
      }
    }
    return new FloatTensor(out, n, 2, patch[0], patch[1], patch[2]);
  }

  @Test
  @SuppressWarnings("unchecked")
  void blendAndPlacementAreNnunets() throws Exception {
    Map<String, Object> all = (Map<String, Object>) Json.parse(Files.readString(DIR.resolve("cases.json")));
    Map<String, Object> c = (Map<String, Object>) ((Map<String, Object>) all.get("cases")).get("window");
    long[] patch = ((List<Number>) c.get("patch")).stream().mapToLong(Number::longValue).toArray();
    FloatTensor x = Npy.read(DIR.resolve((String) c.get("input")));
    FloatTensor expected = Npy.read(DIR.resolve((String) c.get("prediction")));
    long[] volume = {x.dim(2), x.dim(3), x.dim(4)};
    // nnU-Net's starts are on the padded volume: ours on the volume, a negative start where padded before it
    WindowGrid grid = WindowGrid.of(volume, patch, 0.5, true);
    List<List<Number>> starts = (List<List<Number>>) c.get("padded_starts");
    List<Number> below = (List<Number>) c.get("padding_below");
    assertEquals(starts.size(), grid.size());
    for (int t = 0; t < grid.size(); t++) {
      long[] s = new long[3];
      for (int a = 0; a < 3; a++) {
        s[a] = starts.get(t).get(a).longValue() - below.get(a).longValue();
      }
      assertArrayEquals(s, grid.start(t), "window " + t);
    }
    FloatTensor got = WindowInference.predict(x, patch, 0.5, Blend.NNUNET, 3, 0f, (w, last) -> toy(w, patch));
    double err = Tensors.maxAbsDiff(got, expected);
    // the blend that centres the Gaussian between the middle voxels and pads at the end is another function
    FloatTensor other = WindowInference.predict(x, patch, 0.5, Blend.GAUSSIAN, 3, 0f, (w, last) -> toy(w, patch));
    System.out.printf("nnU-Net blend: max|diff| %.2e (the gaussian blend differs by %.2e)%n", err,
        Tensors.maxAbsDiff(other, expected));
    assertTrue(err <= 1e-5, "prediction max|diff| " + err);
    assertTrue(Tensors.maxAbsDiff(other, expected) > 1e-3, "the check must tell the two blends apart");
  }
}
