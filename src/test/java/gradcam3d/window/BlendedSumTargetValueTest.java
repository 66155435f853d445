package gradcam3d.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The whole-volume target value the blend sums ({@link BlendedSum#scoring}): S = sum_v region(v)
 * F_cls(v), for the predicted class's own voxels and for a weighted fixed region. Checked against
 * (a) the same sum over the blended prediction {@link BlendedSum#finish} stores (exactly, whole and
 * streaming blends alike) and (b) its definition through the windows, sum_t sum_v seed_t(v)
 * scores_t(v) with seed_t = region x the window's share w_t / N (to float rounding).
 */
class BlendedSumTargetValueTest {
  @Test
  void theBlendSumsTheTargetValueAsTheWindowsDefineIt() {
    long[] volume = {29, 20, 17};
    int classes = 3;
    int cls = 1;
    for (long[] window : List.of(new long[] {16, 8, 8}, new long[] {29, 12, 17})) {
      WindowGrid grid = WindowGrid.of(volume, window, 0.5);
      BlendWeights w = new BlendWeights(grid, Blend.GAUSSIAN);
      int voxels = (int) Shapes.numel(volume);
      int windowVoxels = (int) Shapes.numel(window);
      Random r = new Random(window[0]);
      List<FloatTensor> scores = new ArrayList<>();
      for (int t = 0; t < grid.size(); t++) {
        float[] s = new float[classes * windowVoxels];
        for (int i = 0; i < s.length; i++) {
          s[i] = (float) r.nextGaussian() + (i / windowVoxels == cls ? 0.3f : 0f);
        }
        scores.add(new FloatTensor(s, 1, classes, window[0], window[1], window[2]));
      }
      float[] weighted = new float[voxels];
      for (int v = 0; v < voxels; v++) {
        weighted[v] = v % 5 == 0 ? 0f : 0.5f + (v % 3) / 4f;
      }
      for (float[] region : new float[][] {null, weighted}) {
        BlendedSum whole = new BlendedSum(grid, w, classes);
        BlendedSum streaming = BlendedSum.streaming(grid, w, classes);
        BlendedSum plain = new BlendedSum(grid, w, classes);
        whole.scoring(cls, region);
        streaming.scoring(cls, region);
        for (int t = 0; t < grid.size(); t++) {
          whole.add(List.of(t), scores.get(t));
          streaming.add(List.of(t), scores.get(t));
          plain.add(List.of(t), scores.get(t));
        }
        whole.segmentation(new float[classes]);
        streaming.segmentation(new float[classes]);
        // (a) the sum over the stored blended prediction F, voxel by voxel in the same order
        float[] f = plain.finish();
        double expected = 0;
        for (int v = 0; v < voxels; v++) {
          int best = 0;
          for (int c = 1; c < classes; c++) {
            if (f[c * voxels + v] > f[best * voxels + v]) {
              best = c;
            }
          }
          float inside = region == null ? (best == cls ? 1f : 0f) : region[v];
          if (inside != 0) {
            expected += inside * (double) f[cls * voxels + v];
          }
        }
        assertTrue(expected != 0);
        assertEquals(expected, whole.targetValue(), 0.0, "whole blend");
        assertEquals(expected, streaming.targetValue(), 0.0, "streaming blend");
        // (b) the definition through the windows: each window's seed (region x share) times its scores
        float[] inside = new float[voxels];
        for (int v = 0; v < voxels; v++) {
          int best = 0;
          for (int c = 1; c < classes; c++) {
            if (f[c * voxels + v] > f[best * voxels + v]) {
              best = c;
            }
          }
          inside[v] = region == null ? (best == cls ? 1f : 0f) : region[v];
        }
        double throughWindows = 0;
        for (int t = 0; t < grid.size(); t++) {
          float[] share = WindowTargets.share(grid, w, t).data();
          float[] s = scores.get(t).data();
          double[] sum = {0};
          WindowInference.box(grid, t).forEachRun((wo, vo, len, row) -> {
            for (int j = 0; j < len; j++) {
              sum[0] += inside[vo + j] * share[wo + j] * (double) s[cls * windowVoxels + wo + j];
            }
          });
          throughWindows += sum[0];
        }
        assertEquals(throughWindows, whole.targetValue(), 1e-5 * Math.abs(throughWindows), "through the windows");
      }
    }
  }
}
