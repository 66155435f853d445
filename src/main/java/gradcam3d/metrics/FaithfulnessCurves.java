package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletion and insertion curves of one map on one sample. Voxels are ranked by the map (highest
 * first, ties by flat index); at step i of n the top k_i = floor(N * i / (n - 1) + 1/2) voxels
 * (all channels) are replaced by the baseline (deletion), or the baseline volume gets the top k_i
 * voxels of the input back (insertion). Each score is divided by the unperturbed score; the areas
 * are trapezoids over the removed fraction i / (n - 1) in [0, 1]. The random reference is the mean
 * area over {@link Ranking#random} orders with seeds 0 .. seeds-1.
 */
public record FaithfulnessCurves(double[] fractions, double[] deletion, double[] insertion, double deletionAuc,
    double insertionAuc, double[] randomDeletion, double[] randomInsertion, double randomDeletionAuc,
    double randomInsertionAuc, double unperturbedScore, double baselineScore, Baseline baseline, int randomSeeds) {

  public static final int DEFAULT_STEPS = 21;
  public static final int DEFAULT_RANDOM_SEEDS = 3;

  /**
   * @param x one sample [1, C, *S]
   * @param map the map on the input grid, N = prod(S) values
   */
  public static FaithfulnessCurves measure(TargetScorer scorer, FloatTensor x, float[] map, Baseline baseline,
      int steps, int randomSeeds) {
    return measure(scorer, x, map, baseline, null, steps, randomSeeds);
  }

  /** Same, with the baseline volume {@code baseline.of(x)} made beforehand (null: made here). */
  public static FaithfulnessCurves measure(TargetScorer scorer, FloatTensor x, float[] map, Baseline baseline,
      FloatTensor baselineVolume, int steps, int randomSeeds) {
    if (steps < 2) {
      throw new Gradcam3dException("a curve needs at least 2 steps, not " + steps);
    }
    if (randomSeeds < 0) {
      throw new Gradcam3dException("the number of random orders cannot be negative: " + randomSeeds);
    }
    int channels = (int) x.dim(1);
    int voxels = x.size() / channels;
    if (map.length != voxels) {
      throw new Gradcam3dException("the map has " + map.length + " voxels but the input grid has " + voxels);
    }
    if (steps > voxels + 1) {
      throw new Gradcam3dException("a curve of " + steps + " steps needs more than the input's " + voxels
          + " voxels + 1");
    }
    FloatTensor base = baselineVolume != null ? baselineVolume : baseline.of(x);
    List<int[]> orders = new ArrayList<>();
    orders.add(Ranking.byMap(map));
    for (int s = 0; s < randomSeeds; s++) {
      orders.add(Ranking.random(voxels, s));
    }
    int inner = steps - 2;
    // volume 0 = x, 1 = baseline, then per order the inner deletion steps and the inner insertion steps
    int count = 2 + orders.size() * 2 * inner;
    double[] s = scorer.scores(count, j -> {
      if (j < 2) {
        return j == 0 ? x : base;
      }
      int o = (j - 2) / (2 * inner);
      int rest = (j - 2) % (2 * inner);
      boolean deletion = rest < inner;
      int step = 1 + rest % inner;
      return perturbed(deletion ? x : base, deletion ? base : x, orders.get(o), topCount(voxels, step, steps));
    });
    double s0 = s[0];
    if (s0 == 0 || !Double.isFinite(s0)) {
      throw new Gradcam3dException("the unperturbed target score is " + s0 + "; curves relative to it are undefined");
    }
    double[][] del = new double[orders.size()][steps];
    double[][] ins = new double[orders.size()][steps];
    for (int o = 0; o < orders.size(); o++) {
      del[o][0] = 1;
      del[o][steps - 1] = s[1] / s0;
      ins[o][0] = s[1] / s0;
      ins[o][steps - 1] = 1;
      for (int i = 1; i <= inner; i++) {
        del[o][i] = s[2 + o * 2 * inner + i - 1] / s0;
        ins[o][i] = s[2 + o * 2 * inner + inner + i - 1] / s0;
      }
    }
    double[] fractions = new double[steps];
    for (int i = 0; i < steps; i++) {
      fractions[i] = (double) i / (steps - 1);
    }
    double[] rd = new double[steps];
    double[] ri = new double[steps];
    for (int o = 1; o < orders.size(); o++) {
      for (int i = 0; i < steps; i++) {
        rd[i] += del[o][i] / randomSeeds;
        ri[i] += ins[o][i] / randomSeeds;
      }
    }
    // the mean curve's area is the mean of the areas (the trapezoid rule is linear)
    return new FaithfulnessCurves(fractions, del[0], ins[0], auc(del[0]), auc(ins[0]), randomSeeds == 0 ? null : rd,
        randomSeeds == 0 ? null : ri, randomSeeds == 0 ? Double.NaN : auc(rd), randomSeeds == 0 ? Double.NaN : auc(ri),
        s0, s[1], baseline, randomSeeds);
  }

  /** k_i = floor(N * i / (n - 1) + 1/2) in integers. */
  static int topCount(int voxels, int step, int steps) {
    return (int) ((2L * voxels * step + (steps - 1)) / (2L * (steps - 1)));
  }

  /** {@code from} with the first k voxels of the order taken from {@code source}, all channels. */
  static FloatTensor perturbed(FloatTensor from, FloatTensor source, int[] order, int k) {
    float[] out = from.data().clone();
    float[] src = source.data();
    int voxels = order.length;
    int channels = out.length / voxels;
    for (int j = 0; j < k; j++) {
      int v = order[j];
      for (int c = 0; c < channels; c++) {
        out[c * voxels + v] = src[c * voxels + v];
      }
    }
    return new FloatTensor(out, from.shape());
  }

  /** Trapezoid area of values on an even grid over [0, 1]. */
  static double auc(double[] y) {
    double a = 0;
    for (int i = 0; i + 1 < y.length; i++) {
      a += (y[i] + y[i + 1]) / 2;
    }
    return a / (y.length - 1);
  }
}
