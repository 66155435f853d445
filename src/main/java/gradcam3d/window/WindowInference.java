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
    WindowGrid grid = WindowGrid.of(spatial, window, overlap, blend.nnunetPlacement());
    float[] f = blend(input, grid, new BlendWeights(grid, blend), windowBatch, padValue, List.of(forward),
        Progress.NONE).finish();
    return new FloatTensor(f, Shapes.concat(new long[] {1, f.length / Shapes.numel(spatial)}, spatial));
  }

  /**
   * The blend of every window (F = its {@link BlendedSum#finish}). The batches of windows run on the {@code lanes} side by
   * side (one forward per lane) and are blended in window order, so F is the same for any number of
   * lanes whose forwards agree.
   */
  static BlendedSum blend(FloatTensor input, WindowGrid grid, BlendWeights weights, int windowBatch, float padValue,
      List<? extends Forward> lanes, Progress progress) {
    BlendedSum[] blend = {null};
    progress.start("predicting windows", grid.size());
    int batches = (grid.size() + windowBatch - 1) / windowBatch;
    Lanes.ordered(lanes, batches,
        (forward, b) -> forward.scores(crops(input, grid, batch(grid.size(), windowBatch, b), padValue),
            Lanes.lastOnLane(lanes.size(), batches, b)),
        (b, out) -> {
          List<Integer> batch = batch(grid.size(), windowBatch, b);
          if (blend[0] == null) {
            blend[0] = new BlendedSum(grid, weights, (int) out.dim(1));
          }
          blend[0].add(batch, out);
          progress.advance(batch.size());
        });
    progress.finish();
    return blend[0];
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
