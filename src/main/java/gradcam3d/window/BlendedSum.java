package gradcam3d.window;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.List;

/**
 * The blend of the windows' scores as it grows: sum_t w_t scores_t over the volume, [K, *S] flat.
 * The blended prediction F = sum / N is read without dividing in place ({@link #argmax},
 * {@link #classCrop}: each voxel's F computed as the same float {@link #finish} stores), so a
 * window's part of F can be used as soon as every window overlapping it is added, while other
 * windows are still being added elsewhere in the volume.
 */
final class BlendedSum {
  private final WindowGrid grid;
  private final BlendWeights weights;
  private final int classes;
  private final int voxels;
  private final float[] sum;

  BlendedSum(WindowGrid grid, BlendWeights weights, int classes) {
    this.grid = grid;
    this.weights = weights;
    this.classes = classes;
    this.voxels = (int) Shapes.numel(grid.volume());
    this.sum = new float[classes * voxels];
  }

  int classes() {
    return classes;
  }

  /** Adds the scores [n, K, *W] of the windows {@code batch}, each weighted by w. */
  void add(List<Integer> batch, FloatTensor scores) {
    int windowVoxels = (int) Shapes.numel(grid.window());
    float[] w = weights.window();
    float[] s = scores.data();
    for (int i = 0; i < batch.size(); i++) {
      int item = i;
      WindowInference.box(grid, batch.get(i)).forEachRun((wo, vo, len, row) -> {
        for (int c = 0; c < classes; c++) {
          int src = (item * classes + c) * windowVoxels + wo;
          int dst = c * voxels + vo;
          for (int j = 0; j < len; j++) {
            sum[dst + j] += w[wo + j] * s[src + j];
          }
        }
      });
    }
  }

  /** prod over the leading axes of N_a at these volume coordinates (the same product everywhere). */
  private double lead(long[] coordinates) {
    double lead = 1;
    for (int a = 0; a < coordinates.length; a++) {
      lead *= weights.norm(a, coordinates[a]);
    }
    return lead;
  }

  /** 1 / N(v) as the float F is scaled by, for a voxel at last-axis position x of a row. */
  private float inverse(double lead, long x) {
    return (float) (1 / (lead * weights.norm(grid.volume().length - 1, x)));
  }

  /** Visits each row of the volume along the last axis: its flat offset and 1 / N's leading product. */
  private void forEachRow(RowVisitor visit) {
    long[] spatial = grid.volume();
    int r = spatial.length;
    int rowLength = (int) spatial[r - 1];
    long[] leading = new long[r - 1];
    for (int v0 = 0; v0 < voxels; v0 += rowLength) {
      long rest = v0 / rowLength;
      for (int a = r - 2; a >= 0; a--) {
        leading[a] = rest % spatial[a];
        rest /= spatial[a];
      }
      visit.row(v0, rowLength, lead(leading));
    }
  }

  @FunctionalInterface
  private interface RowVisitor {
    void row(int offset, int length, double lead);
  }

  /** Divides the sum by N in place and returns it: F, [K, *S] flat. The sum is F from now on. */
  float[] finish() {
    forEachRow((v0, len, lead) -> {
      for (int j = 0; j < len; j++) {
        float inv = inverse(lead, j);
        for (int c = 0; c < classes; c++) {
          sum[c * voxels + v0 + j] *= inv;
        }
      }
    });
    return sum;
  }

  /** Argmax of F over classes per voxel (first maximum, as ONNX ArgMax) and voxels per class; F is not changed. */
  void argmax(float[] segmentation, float[] counts) {
    forEachRow((v0, len, lead) -> {
      for (int j = 0; j < len; j++) {
        int best = best(v0 + j, inverse(lead, j));
        segmentation[v0 + j] = best;
        counts[best]++;
      }
    });
  }

  /** The class of largest F at voxel v, F = sum * inv. */
  private int best(int v, float inv) {
    int best = 0;
    float max = sum[v] * inv;
    for (int c = 1; c < classes; c++) {
      float f = sum[c * voxels + v] * inv;
      if (f > max) {
        max = f;
        best = c;
      }
    }
    return best;
  }

  /**
   * Window t's crop of the predicted mask of class {@code cls} (1 where argmax F = cls, zero in the
   * padding), on the window grid. Only valid once every window overlapping t has been added.
   */
  float[] classCrop(int t, int cls) {
    float[] out = new float[(int) Shapes.numel(grid.window())];
    long[] start = grid.start(t);
    int r = start.length;
    long[] leading = new long[r - 1];
    WindowInference.box(grid, t).forEachRun((wo, vo, len, row) -> {
      for (int a = 0; a < r - 1; a++) {
        leading[a] = start[a] + row[a];
      }
      double lead = lead(leading);
      long x0 = start[r - 1] + row[r - 1];
      for (int j = 0; j < len; j++) {
        out[wo + j] = best(vo + j, inverse(lead, x0 + j)) == cls ? 1f : 0f;
      }
    });
    return out;
  }
}
