package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;


/**
 * Deletion and insertion curves of one map on one sample. Voxels are ranked by the map (highest
 * first, ties by flat index); at point i the top k_i voxels ({@link StepSchedule#counts}, all
 * channels) are replaced by the baseline (deletion), or the baseline volume gets the top k_i
 * voxels of the input back (insertion). Each volume is scored ({@link CurveScore}); the shown curve
 * is, for probabilities, (s - s_baseline) / (s_x - s_baseline) clipped to [0, 1] (1 = the
 * unperturbed volume, 0 = the fully perturbed one), for logits s / s_x. The areas are trapezoids
 * over the removed fraction k_i / N in [0, 1]. The random reference is the mean curve and area
 * over {@link Ranking#random} orders with seeds 0 .. seeds-1. Each distinct volume is scored
 * once: the end points are shared by both curves and every order, and equal counts by their points.
 */
public record FaithfulnessCurves(double[] fractions, int[] counts, double[] deletion, double[] insertion,
    double deletionAuc, double insertionAuc, double[] randomDeletion, double[] randomInsertion,
    double randomDeletionAuc, double randomInsertionAuc, double[] deletionScores, double[] insertionScores,
    double unperturbedScore, double baselineScore, Baseline baseline, int randomSeeds, CurveScore score,
    StepSchedule schedule, String undefined) {

  public static final int DEFAULT_STEPS = 21;
  public static final int DEFAULT_RANDOM_SEEDS = 3;

  /**
   * Curves as before issue 24 (logit ratios, n points every 1/(n-1)): for callers that compare
   * with those numbers.
   *
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
    return measure(scorer, x, map, baseline, baselineVolume, StepSchedule.LINEAR, steps, Double.NaN, randomSeeds,
        CurveScore.LOGITS);
  }

  /**
   * The curves with {@code steps} points on {@code schedule} for a target covering
   * {@code regionShare} of the output grid (NaN for classifiers), scored as {@code score} says
   * (the scorer must score that way: {@link TargetScorer.Programs#open} with the matching score).
   */
  public static FaithfulnessCurves measure(TargetScorer scorer, FloatTensor x, float[] map, Baseline baseline,
      FloatTensor baselineVolume, StepSchedule schedule, int steps, double regionShare, int randomSeeds,
      CurveScore score) {
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
    int[] counts = schedule.counts(steps, regionShare, voxels);
    FloatTensor base = baselineVolume != null ? baselineVolume : baseline.of(x);
    List<int[]> orders = new ArrayList<>();
    orders.add(Ranking.byMap(map));
    for (int s = 0; s < randomSeeds; s++) {
      orders.add(Ranking.random(voxels, s));
    }
    // the distinct counts strictly between 0 and N, each scored once per order and curve
    int[] inner = Arrays.stream(counts).filter(k -> k > 0 && k < voxels).distinct().sorted().toArray();
    int m = inner.length;
    // volume 0 = x, 1 = baseline, then per order the inner deletion steps and the inner insertion steps
    int count = 2 + orders.size() * 2 * m;
    double[] s = scorer.scores(count, j -> {
      if (j < 2) {
        return j == 0 ? x : base;
      }
      int o = (j - 2) / (2 * m);
      int rest = (j - 2) % (2 * m);
      boolean deletion = rest < m;
      return perturbed(deletion ? x : base, deletion ? base : x, orders.get(o), inner[rest % m]);
    });
    double s0 = s[0];
    double sb = s[1];
    String undefined = null;
    if (!Double.isFinite(s0) || !Double.isFinite(sb)) {
      throw new Gradcam3dException("the target score is not finite (" + s0 + " unperturbed, " + sb
          + " on the baseline volume)");
    }
    if (score == CurveScore.LOGITS && s0 == 0) {
      throw new Gradcam3dException("the unperturbed target score is 0; curves relative to it are undefined");
    }
    if (score == CurveScore.PROBABILITY && !(Math.abs(s0 - sb) > 1e-6 * Math.max(Math.abs(s0), Math.abs(sb)))) {
      undefined = "the baseline volume scores the same as the input (" + s0 + "), so there is nothing to normalise by";
    }
    double[][] delRaw = new double[orders.size()][steps];
    double[][] insRaw = new double[orders.size()][steps];
    for (int o = 0; o < orders.size(); o++) {
      for (int i = 0; i < steps; i++) {
        int k = counts[i];
        if (k == 0) {
          delRaw[o][i] = s0;
          insRaw[o][i] = sb;
        } else if (k == voxels) {
          delRaw[o][i] = sb;
          insRaw[o][i] = s0;
        } else {
          int at = Arrays.binarySearch(inner, k);
          delRaw[o][i] = s[2 + o * 2 * m + at];
          insRaw[o][i] = s[2 + o * 2 * m + m + at];
        }
      }
    }
    double[] fractions = new double[steps];
    for (int i = 0; i < steps; i++) {
      fractions[i] = (double) counts[i] / voxels;
    }
    if (undefined != null) {
      return new FaithfulnessCurves(fractions, counts, null, null, Double.NaN, Double.NaN, null, null, Double.NaN,
          Double.NaN, delRaw[0], insRaw[0], s0, sb, baseline, randomSeeds, score, schedule, undefined);
    }
    double[][] del = new double[orders.size()][];
    double[][] ins = new double[orders.size()][];
    for (int o = 0; o < orders.size(); o++) {
      del[o] = shown(delRaw[o], s0, sb, score);
      ins[o] = shown(insRaw[o], s0, sb, score);
    }
    double[] rd = new double[steps];
    double[] ri = new double[steps];
    for (int o = 1; o < orders.size(); o++) {
      for (int i = 0; i < steps; i++) {
        rd[i] += del[o][i] / randomSeeds;
        ri[i] += ins[o][i] / randomSeeds;
      }
    }
    boolean random = randomSeeds > 0;
    // the mean curve's area is the mean of the areas (the trapezoid rule is linear)
    return new FaithfulnessCurves(fractions, counts, del[0], ins[0], auc(fractions, del[0]), auc(fractions, ins[0]),
        random ? rd : null, random ? ri : null, random ? auc(fractions, rd) : Double.NaN,
        random ? auc(fractions, ri) : Double.NaN, delRaw[0], insRaw[0], s0, sb, baseline, randomSeeds, score,
        schedule, null);
  }

  /** Distinct volumes scored for these counts and orders: x, the baseline, and 2 per inner count and order. */
  public static int passes(int[] counts, int voxels, int orders) {
    return 2 + 2 * orders * (int) Arrays.stream(counts).filter(k -> k > 0 && k < voxels).distinct().count();
  }

  /** The curve as shown: normalised and clipped (probabilities) or relative to the unperturbed score (logits). */
  static double[] shown(double[] raw, double s0, double sb, CurveScore score) {
    double[] out = new double[raw.length];
    for (int i = 0; i < raw.length; i++) {
      out[i] = score == CurveScore.LOGITS ? raw[i] / s0 : Math.max(0, Math.min(1, (raw[i] - sb) / (s0 - sb)));
    }
    return out;
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

  /** Trapezoid area of y over x. */
  static double auc(double[] x, double[] y) {
    double a = 0;
    for (int i = 0; i + 1 < y.length; i++) {
      a += (x[i + 1] - x[i]) * (y[i] + y[i + 1]) / 2;
    }
    return a;
  }

  /** Trapezoid area of values on an even grid over [0, 1]. */
  static double auc(double[] y) {
    double a = 0;
    for (int i = 0; i + 1 < y.length; i++) {
      a += (y[i] + y[i + 1]) / 2;
    }
    return a / (y.length - 1);
  }

  /** k_i = floor(N * i / (n - 1) + 1/2) in integers (the linear scale). */
  static int topCount(int voxels, int step, int steps) {
    return (int) ((2L * voxels * step + (steps - 1)) / (2L * (steps - 1)));
  }
}
