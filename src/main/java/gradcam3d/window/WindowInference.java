package gradcam3d.window;

import gradcam3d.cam.Progress;
import gradcam3d.runtime.Lanes;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sliding-window inference: every window's scores, blended in place into
 * F = sum_t w_t scores_t / N. Used by the explainer (its first pass) and, with the plain model,
 * by the benchmark as the baseline an explanation is compared with.
 */
public final class WindowInference {
  private WindowInference() {}

  /**
   * Scores [n, K, *W] of a batch of window inputs [n, C, *W]; {@code lastRun}: the forward's last
   * batch of this pass, after which its session may give its working memory back.
   */
  @FunctionalInterface
  public interface Forward {
    FloatTensor scores(FloatTensor windows, boolean lastRun);
  }

  /** The blended prediction of a volume [1, C, *S] as [1, K, *S]. */
  public static FloatTensor predict(FloatTensor input, long[] window, double overlap, Blend blend, int windowBatch,
      float padValue, Forward forward) {
    long[] spatial = Arrays.copyOfRange(input.shape(), 2, input.rank());
    WindowGrid grid = WindowGrid.of(spatial, window, overlap);
    float[] f = predict(input, grid, new BlendWeights(grid, blend), windowBatch, padValue, List.of(forward),
        Progress.NONE);
    return new FloatTensor(f, Shapes.concat(new long[] {1, f.length / Shapes.numel(spatial)}, spatial));
  }

  /**
   * Blended prediction F, [K, *S] flat. The batches of windows run on the {@code lanes} side by
   * side (one forward per lane) and are blended in window order, so F is the same for any number of
   * lanes whose forwards agree.
   */
  static float[] predict(FloatTensor input, WindowGrid grid, BlendWeights weights, int windowBatch, float padValue,
      List<? extends Forward> lanes, Progress progress) {
    long[] spatial = grid.volume();
    int voxels = (int) Shapes.numel(spatial);
    int windowVoxels = (int) Shapes.numel(grid.window());
    float[] w = weights.window();
    float[][] accumulator = {null};
    int[] classCount = {0};
    progress.start("predicting windows", grid.size());
    int batches = (grid.size() + windowBatch - 1) / windowBatch;
    Lanes.ordered(lanes, batches,
        (forward, b) -> forward.scores(crops(input, grid, batch(grid.size(), windowBatch, b), padValue),
            Lanes.lastOnLane(lanes.size(), batches, b)),
        (b, out) -> {
          List<Integer> batch = batch(grid.size(), windowBatch, b);
          int k = (int) out.dim(1);
          float[] scores = out.data();
          if (accumulator[0] == null) {
            accumulator[0] = new float[k * voxels];
            classCount[0] = k;
          }
          float[] a = accumulator[0];
          for (int i = 0; i < batch.size(); i++) {
            int item = i;
            box(grid, batch.get(i)).forEachRun((wo, vo, len, row) -> {
              for (int c = 0; c < k; c++) {
                int src = (item * k + c) * windowVoxels + wo;
                int dst = c * voxels + vo;
                for (int j = 0; j < len; j++) {
                  a[dst + j] += w[wo + j] * scores[src + j];
                }
              }
            });
          }
          progress.advance(batch.size());
        });
    float[] acc = accumulator[0];
    int classes = classCount[0];
    progress.finish();
    // divide by N(v) = prod_a N_a(v_a)
    long[] str = Shapes.strides(spatial);
    int r = spatial.length;
    int rowLength = (int) spatial[r - 1];
    for (int v0 = 0; v0 < voxels; v0 += rowLength) {
      double lead = 1;
      for (int ax = 0; ax < r - 1; ax++) {
        lead *= weights.norm(ax, (v0 / str[ax]) % spatial[ax]);
      }
      for (int j = 0; j < rowLength; j++) {
        float inv = (float) (1 / (lead * weights.norm(r - 1, j)));
        for (int c = 0; c < classes; c++) {
          acc[c * voxels + v0 + j] *= inv;
        }
      }
    }
    return acc;
  }

  /** Windows of batch {@code b}: b * size .. up to {@code windows}. */
  static List<Integer> batch(int windows, int size, int b) {
    List<Integer> batch = new ArrayList<>();
    for (int t = b * size; t < Math.min(windows, (b + 1) * size); t++) {
      batch.add(t);
    }
    return batch;
  }

  static WindowBox box(WindowGrid grid, int t) {
    return new WindowBox(grid.start(t), grid.window(), grid.volume());
  }

  /** The windows' inputs [n, C, *W]; outside the volume, the pad value. */
  static FloatTensor crops(FloatTensor input, WindowGrid grid, List<Integer> batch, float padValue) {
    int channels = (int) input.dim(1);
    int voxels = (int) Shapes.numel(grid.volume());
    int windowVoxels = (int) Shapes.numel(grid.window());
    float[] out = new float[batch.size() * channels * windowVoxels];
    if (grid.needsPadding()) {
      Arrays.fill(out, padValue);
    }
    float[] in = input.data();
    for (int i = 0; i < batch.size(); i++) {
      int item = i;
      box(grid, batch.get(i)).forEachRun((wo, vo, len, row) -> {
        for (int c = 0; c < channels; c++) {
          System.arraycopy(in, c * voxels + vo, out, (item * channels + c) * windowVoxels + wo, len);
        }
      });
    }
    return new FloatTensor(out, Shapes.concat(new long[] {batch.size(), channels}, grid.window()));
  }
}
