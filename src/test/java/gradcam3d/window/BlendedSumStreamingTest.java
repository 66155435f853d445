package gradcam3d.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming blend (only the slabs not yet final held) gives exactly the segmentation, the
 * class counts and every window's class crop of the whole blend, for overlapping windows added
 * one by one and in batches, with crops read as soon as the windows overlapping them are added
 * (as the stream reads them) and at the end.
 */
class BlendedSumStreamingTest {
  @Test
  void streamingEqualsTheWholeBlend() {
    long[] volume = {37, 21, 18};
    for (long[] window : List.of(new long[] {16, 8, 8}, new long[] {40, 12, 18})) {
      for (double overlap : new double[] {0, 0.6}) {
        for (int batch : new int[] {1, 3}) {
          WindowGrid grid = WindowGrid.of(volume, window, overlap);
          BlendWeights w = new BlendWeights(grid, Blend.GAUSSIAN);
          int classes = 3;
          BlendedSum whole = new BlendedSum(grid, w, classes);
          BlendedSum streaming = BlendedSum.streaming(grid, w, classes);

          Random r = new Random(window[0] * 31 + batch);
          int windowVoxels = (int) Shapes.numel(grid.window());
          int batches = (grid.size() + batch - 1) / batch;
          for (int b = 0; b < batches; b++) {
            List<Integer> ts = WindowInference.batch(grid.size(), batch, b);
            float[] scores = new float[ts.size() * classes * windowVoxels];
            for (int i = 0; i < scores.length; i++) {
              scores[i] = (float) r.nextGaussian();
            }
            FloatTensor s = new FloatTensor(scores, ts.size(), classes, window[0], window[1], window[2]);
            whole.add(ts, s);
            streaming.add(ts, s);
            // every window whose overlapping windows are all added now: the same crop
            for (int t = 0; t < grid.size(); t++) {
              if (WindowSchedule.lastOverlapping(grid, t) / batch == b) {
                for (int cls = 0; cls < classes; cls++) {
                  assertArrayEquals(whole.classCrop(t, cls), streaming.classCrop(t, cls),
                      "window " + t + " class " + cls);
                }
              }
            }
          }
          float[] c1 = new float[classes];
          float[] c2 = new float[classes];
          float[] seg = whole.segmentation(c1).toFloatTensor().data();
          assertArrayEquals(seg, streaming.segmentation(c2).toFloatTensor().data());
          assertArrayEquals(c1, c2);
          assertTrue(c1[0] + c1[1] + c1[2] == Shapes.numel(volume));
        }
      }
    }
  }
}
