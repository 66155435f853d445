package gradcam3d.metrics.measures;

import gradcam3d.metrics.FeatureBaseline;
import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricParams.Param;
import gradcam3d.metrics.MetricSample;
import gradcam3d.metrics.SeededRandom;
import gradcam3d.metrics.Similarity;
import java.util.List;

/**
 * Faithfulness correlation (Bhatt et al. 2020; Quantus FaithfulnessCorrelation): in each of R runs
 * a random subset of the C * N features is replaced by the baseline; the result is Pearson's r
 * between the runs' attribution sums over the subset and their score drops s(x) - s(x_run).
 * A is normalised by its maximum |A| (Quantus: abs off, normalise on). The subset of run r is the
 * first k of a partial Fisher-Yates shuffle of 0..F-1 driven by {@link SeededRandom} stream
 * (seed, 1, r): for j = 0..k-1 swap j with j + floor(u * (F - j)).
 */
public final class FaithfulnessCorrelation implements Metric {
  static final int STREAM = 1;

  @Override
  public String name() {
    return "faithfulness-correlation";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.FAITHFULNESS;
  }

  @Override
  public String definition() {
    return "Pearson r between the attribution summed over a random feature subset and the score drop when "
        + "that subset is replaced by the baseline, over R runs (Bhatt et al. 2020); higher is better";
  }

  @Override
  public List<Param> params() {
    return List.of(Param.count("runs", "50", "random subsets (Quantus: 100)"),
        Param.fraction("subset", "0.01", "share of the C*N features per subset (Quantus: 224 of 224x224x3)"),
        Param.choice("baseline", "black", FeatureBaseline.NAMES, "replacement value (Quantus: black = the minimum)"));
  }

  @Override
  public Cost cost(MetricSample s) {
    return new Cost(s.params().count(this, "runs", 0), 0);
  }

  @Override
  public Result measure(MetricSample s) {
    int runs = s.params().count(this, "runs", 0);
    int f = s.features();
    int k = subsetSize(f, s.params().number(this, "subset"));
    FeatureBaseline baseline = FeatureBaseline.byName(s.params().text(this, "baseline"));
    float[] a = s.attribution(false, true);
    float[] x = s.input();
    float[] blurred = baseline == FeatureBaseline.BLUR ? Measures.blurred(s) : null;
    double[] range = Measures.range(s);
    int[][] subsets = new int[runs][];
    for (int r = 0; r < runs; r++) {
      subsets[r] = subset(f, k, s.random(STREAM, r));
    }
    double y = s.unperturbedScore();
    double[] scores = s.scoreFeatures(runs, r -> {
      float[] p = x.clone();
      FeatureBaseline.Fill fill = baseline.fill(x, blurred, range, s.random(STREAM + 100, r));
      for (int i : subsets[r]) {
        p[i] = fill.at(i);
      }
      return p;
    });
    double[] drops = new double[runs];
    double[] sums = new double[runs];
    for (int r = 0; r < runs; r++) {
      drops[r] = y - scores[r];
      sums[r] = Measures.sum(a, subsets[r], 0, k);
    }
    double rho = Similarity.pearson(sums, drops);
    return new Result(Measures.json("correlation", rho, "runs", runs, "subset_features", k, "baseline",
        baseline.label(), "attribution_sums", sums, "score_drops", drops),
        Measures.headline("faithfulness_correlation", rho));
  }

  static int subsetSize(int features, double share) {
    return (int) Math.max(1, Math.min(features - 1, Math.round(share * features)));
  }

  /** The first k of a partial Fisher-Yates shuffle of 0..n-1. */
  static int[] subset(int n, int k, SeededRandom rng) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    for (int j = 0; j < k; j++) {
      int t = j + rng.nextInt(n - j);
      int tmp = idx[j];
      idx[j] = idx[t];
      idx[t] = tmp;
    }
    return java.util.Arrays.copyOf(idx, k);
  }
}
