package gradcam3d.metrics.measures;

import gradcam3d.metrics.FeatureBaseline;
import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricParams.Param;
import gradcam3d.metrics.MetricSample;
import gradcam3d.metrics.Orders;
import gradcam3d.metrics.Similarity;
import java.util.List;

/**
 * Monotonicity correlation (Nguyen and Martínez 2020; Quantus MonotonicityCorrelation): features
 * in order of increasing |A| / max |A| (ties by index) in steps of ceil(F / steps); each step alone
 * is replaced {@code samples} times by a uniform baseline (one value per copy, drawn from
 * U(min x, max x)); the step's variance is the mean of (s(x_copy) - s(x))^2 times 1 / s(x)^2
 * (times 1 when |s(x)| < 1e-5); the result is Spearman's rho between the steps' attribution sums
 * and variances. Uniform draws: stream (seed, 103, step * samples + copy).
 */
public final class MonotonicityCorrelation implements Metric {
  static final int STREAM = 3;
  static final double EPS = 1e-5;

  @Override
  public String name() {
    return "monotonicity-correlation";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.FAITHFULNESS;
  }

  @Override
  public String definition() {
    return "Spearman rho between the |attribution| of each feature group and the score's variance when that "
        + "group is replaced by random values (Nguyen and Martinez 2020); higher is better";
  }

  @Override
  public List<Param> params() {
    return List.of(Param.count("steps", "16", "feature groups (Quantus: one feature per step)"),
        Param.count("samples", "4", "random copies per group (Quantus: 100)"),
        Param.choice("baseline", "uniform", FeatureBaseline.NAMES, "replacement value (Quantus: uniform)"));
  }

  @Override
  public Cost cost(MetricSample s) {
    int per = FaithfulnessEstimate.perStep(s.features(), s.params().count(this, "steps", 0));
    return new Cost((long) ((s.features() + per - 1) / per) * s.params().count(this, "samples", 0), 0);
  }

  @Override
  public Result measure(MetricSample s) {
    int f = s.features();
    int per = FaithfulnessEstimate.perStep(f, s.params().count(this, "steps", 0));
    int n = (f + per - 1) / per;
    int samples = s.params().count(this, "samples", 0);
    FeatureBaseline baseline = FeatureBaseline.byName(s.params().text(this, "baseline"));
    float[] a = s.attribution(true, true);
    int[] order = Orders.ascending(a);
    float[] x = s.input();
    float[] blurred = baseline == FeatureBaseline.BLUR ? Measures.blurred(s) : null;
    double[] range = Measures.range(s);
    double y = s.unperturbedScore();
    double inv = Math.abs(y) >= EPS ? 1 / (y * y) : 1;
    double[] scores = s.scoreFeatures(n * samples, j -> {
      int t = j / samples;
      float[] p = x.clone();
      FeatureBaseline.Fill fill = baseline.fill(x, blurred, range, s.random(STREAM + 100, j));
      for (int i = t * per; i < Math.min(f, (t + 1) * per); i++) {
        p[order[i]] = fill.at(order[i]);
      }
      return p;
    });
    double[] vars = new double[n];
    double[] sums = new double[n];
    for (int t = 0; t < n; t++) {
      double v = 0;
      for (int c = 0; c < samples; c++) {
        double d = scores[t * samples + c] - y;
        v += d * d / samples;
      }
      vars[t] = v * inv;
      sums[t] = Measures.sum(a, order, t * per, Math.min(f, (t + 1) * per));
    }
    double rho = Similarity.spearman(sums, vars);
    return new Result(Measures.json("correlation", rho, "steps", n, "features_per_step", per, "samples", samples,
        "baseline", baseline.label(), "attribution_sums", sums, "variances", vars),
        Measures.headline("monotonicity_correlation", rho));
  }
}
