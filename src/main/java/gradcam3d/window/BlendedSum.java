package gradcam3d.window;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Labels;
import gradcam3d.tensor.Shapes;
import java.util.List;

/**
 * The blend of the windows' scores as it grows: sum_t w_t scores_t over the volume, [K, *S] flat.
 * The blended prediction F = sum / N is read without dividing in place ({@link #segmentation},
 * {@link #classCrop}: each voxel's F computed as the same float {@link #finish} stores), so a
 * window's part of F can be used as soon as every window overlapping it is added, while other
 * windows are still being added elsewhere in the volume.
 *
 * <p>Streaming ({@link #streaming}, when the blended prediction itself is not kept): the windows
 * come in order, Z slowest, so once the last window of a row of windows along Z is added, the
 * slabs above the next row's start are final; their argmax goes into the segmentation and their
 * part of the sum is reused for the slabs below. The sum then holds one window's depth of slabs
 * (classes x window depth x the scan's plane) instead of classes x the whole scan (for a
 * 512 x 512 x 256 scan, 64^3 windows and 3 classes: 201 instead of 805 MB); a window's class crop
 * is read from the segmentation, and once every window is added the sum is let go: the
 * segmentation (one byte per voxel, {@link Labels}) is all that is left.
 */
final class BlendedSum {
  private final WindowGrid grid;
  private final BlendWeights weights;
  private final int classes;
  private final int voxels;
  /** Null once a streaming blend's segmentation is complete (nothing is left to add). */
  private float[] sum;
  /** Streaming: voxels of one Z slab, slabs the sum holds, windows per row along Z (0: the whole scan is held). */
  private final int plane;
  private final int depth;
  private final int perRow;
  /** Streaming: the argmax of the final slabs, voxels per class, and the first slab not yet final. */
  private final Labels segmentation;
  private final float[] counts;
  private int finalSlabs;
  /**
   * The whole-volume target's value S = sum_v region(v) F_cls(v), summed as voxels become final
   * (see {@link #scoring}): the class (-1: not summed) and the region (null: the voxels the blend
   * predicts as the class).
   */
  private int scoredClass = -1;
  private float[] scoredRegion;
  private double targetValue;

  BlendedSum(WindowGrid grid, BlendWeights weights, int classes) {
    this(grid, weights, classes, false);
  }

  /** The blend that keeps only the slabs not yet final (see the class comment). */
  static BlendedSum streaming(WindowGrid grid, BlendWeights weights, int classes) {
    return new BlendedSum(grid, weights, classes, true);
  }

  private BlendedSum(WindowGrid grid, BlendWeights weights, int classes, boolean streaming) {
    this.grid = grid;
    this.weights = weights;
    this.classes = classes;
    this.voxels = (int) Shapes.numel(grid.volume());
    long slabs = grid.volume()[0];
    this.plane = (int) (voxels / slabs);
    this.depth = streaming ? (int) Math.min(slabs, grid.window()[0]) : (int) slabs;
    this.perRow = streaming ? grid.size() / grid.axisStarts().get(0).length : 0;
    this.sum = new float[classes * depth * plane];
    this.segmentation = streaming ? Labels.zeros(classes, grid.volume()) : null;
    this.counts = streaming ? new float[classes] : null;
  }

  private boolean streaming() {
    return perRow > 0;
  }

  /** Where voxel v's class-0 sum is: its slab's place among the slabs held. */
  private int at(int v) {
    return streaming() ? (v / plane) % depth * plane + v % plane : v;
  }

  int classes() {
    return classes;
  }

  /**
   * From now on (before the segmentation is made) the blend also sums the whole-volume target's
   * value, S = sum_v region(v) F_cls(v), each voxel's F the float the segmentation compares:
   * {@code region} null for the voxels the blend predicts as {@code cls}. Why here: S is the sum
   * over the windows of each window's sum of seed x scores (the seeds' shares w_t / N add up to
   * one), and read from the blend the windows' programs need not compute their scores (for
   * logits, the model's last layers) just for it.
   */
  void scoring(int cls, float[] region) {
    scoredClass = cls;
    scoredRegion = region;
  }

  /** S as summed so far: complete once the segmentation is made. */
  double targetValue() {
    return targetValue;
  }

  /** Voxel v's part of S, {@code i} its place in the sum ({@link #at}), {@code best} its class, {@code inv} its 1 / N. */
  private void score(int v, int i, int best, float inv) {
    float w = scoredRegion == null ? (best == scoredClass ? 1f : 0f) : scoredRegion[v];
    if (w != 0) {
      targetValue += w * (double) (sum[scoredClass * depth * plane + i] * inv);
    }
  }

  /** Adds the scores [n, K, *W] of the windows {@code batch}, each weighted by w. */
  synchronized void add(List<Integer> batch, FloatTensor scores) {
    int windowVoxels = (int) Shapes.numel(grid.window());
    float[] w = weights.window();
    float[] s = scores.data();
    int held = depth * plane;
    for (int i = 0; i < batch.size(); i++) {
      int item = i;
      int t = batch.get(i);
      WindowInference.box(grid, t).forEachRun((wo, vo, len, row) -> {
        int base = at(vo);
        for (int c = 0; c < classes; c++) {
          int src = (item * classes + c) * windowVoxels + wo;
          int dst = c * held + base;
          for (int j = 0; j < len; j++) {
            sum[dst + j] += w[wo + j] * s[src + j];
          }
        }
      });
      if (streaming() && t % perRow == perRow - 1) {
        // the row along Z is complete: the slabs above the next row's start are final
        long[] zStarts = grid.axisStarts().get(0);
        int row = t / perRow;
        finalise(row + 1 < zStarts.length ? (int) zStarts[row + 1] : (int) grid.volume()[0]);
      }
    }
  }

  /** Streaming: the argmax of the slabs up to {@code end} into the segmentation; their place is cleared for reuse. */
  private void finalise(int end) {
    int held = depth * plane;
    for (int z = finalSlabs; z < end; z++) {
      int slab = z;
      forEachRow(z * plane, (z + 1) * plane, (v0, len, lead) -> {
        // a row lies in one slab: its places in the sum are consecutive
        int i0 = at(v0);
        for (int j = 0; j < len; j++) {
          float inv = inverse(lead, j);
          int b = bestAt(i0 + j, inv);
          segmentation.set(v0 + j, b);
          counts[b]++;
          if (scoredClass >= 0) {
            score(v0 + j, i0 + j, b, inv);
          }
        }
      });
      int from = slab % depth * plane;
      for (int c = 0; c < classes; c++) {
        java.util.Arrays.fill(sum, c * held + from, c * held + from + plane, 0f);
      }
    }
    finalSlabs = Math.max(finalSlabs, end);
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
    forEachRow(0, voxels, visit);
  }

  /** Same, for the rows starting in [from, to). */
  private void forEachRow(int from, int to, RowVisitor visit) {
    long[] spatial = grid.volume();
    int r = spatial.length;
    int rowLength = (int) spatial[r - 1];
    long[] leading = new long[r - 1];
    for (int v0 = from; v0 < to; v0 += rowLength) {
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

  /** Divides the sum by N in place and returns it: F, [K, *S] flat. The sum is F from now on. Not when streaming. */
  float[] finish() {
    if (streaming()) {
      throw new IllegalStateException("a streaming blend does not keep the blended prediction");
    }
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

  /**
   * The segmentation (argmax of F over classes per voxel, first maximum as ONNX ArgMax) and the
   * voxels per class into {@code counts}, once every window is added.
   */
  synchronized Labels segmentation(float[] counts) {
    if (streaming()) {
      finalise((int) grid.volume()[0]);
      // every slab is final: the sum (classes x a window's depth of slabs) is not needed any more
      sum = null;
      System.arraycopy(this.counts, 0, counts, 0, classes);
      return segmentation;
    }
    Labels seg = Labels.zeros(classes, grid.volume());
    forEachRow((v0, len, lead) -> {
      for (int j = 0; j < len; j++) {
        float inv = inverse(lead, j);
        int best = bestAt(v0 + j, inv);
        seg.set(v0 + j, best);
        counts[best]++;
        if (scoredClass >= 0) {
          score(v0 + j, v0 + j, best, inv);
        }
      }
    });
    return seg;
  }

  /** The class of largest F at the voxel at place {@code i} of the sum ({@link #at}), F = sum * inv. */
  private int bestAt(int i, float inv) {
    int held = depth * plane;
    int best = 0;
    float max = sum[i] * inv;
    for (int c = 1; c < classes; c++) {
      float f = sum[c * held + i] * inv;
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
   * Synchronized with {@link #add}: a streaming blend clears and reuses final slabs there.
   */
  synchronized float[] classCrop(int t, int cls) {
    float[] out = new float[(int) Shapes.numel(grid.window())];
    long[] start = grid.start(t);
    int r = start.length;
    long[] leading = new long[r - 1];
    WindowInference.box(grid, t).forEachRun((wo, vo, len, row) -> {
      for (int a = 0; a < r - 1; a++) {
        leading[a] = start[a] + row[a];
      }
      double lead = lead(leading);
      // streaming: a final slab's argmax is in the segmentation, the others' sums are still held
      boolean finalSlab = vo / plane < finalSlabs;
      // the run starts row[r - 1] voxels into the window (a window may start before the grid)
      long x0 = start[r - 1] + row[r - 1];
      if (finalSlab) {
        for (int j = 0; j < len; j++) {
          out[wo + j] = segmentation.get(vo + j) == cls ? 1f : 0f;
        }
      } else {
        // a run lies in one row: its places in the sum are consecutive
        int i0 = at(vo);
        for (int j = 0; j < len; j++) {
          out[wo + j] = bestAt(i0 + j, inverse(lead, x0 + j)) == cls ? 1f : 0f;
        }
      }
    });
    return out;
  }
}
