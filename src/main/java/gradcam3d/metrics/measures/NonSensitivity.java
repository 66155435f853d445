package gradcam3d.metrics.measures;

import gradcam3d.metrics.FeatureBaseline;
import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricParams.Param;
import gradcam3d.metrics.MetricSample;
import java.util.List;

/**
 * Non-sensitivity (Nguyen and Martínez 2020; Quantus NonSensitivity) over feature groups: the
 * features 0..F-1 in index order are cut into steps of ceil(F / steps); each group alone is
 * replaced by the baseline; a group counts as a violation when "the attribution is zero there"
 * (every |A| / max |A| < eps) and "the model is insensitive to it" (|s(x_g) - s(x)| < eps)
 * disagree. Reported: the violations and their share of the groups (lower is better). Quantus
 * 0.6 compares per feature and needs one feature per step (F passes): its array shapes only match
 * then.
 */
public final class NonSensitivity implements Metric {
  static final int STREAM = 12;

  @Override
  public String name() {
    return "non-sensitivity";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.AXIOMATIC;
  }

  @Override
  public String definition() {
    return "feature groups where a zero attribution and an unchanged score disagree, among groups replaced one at "
        + "a time (Nguyen and Martinez 2020); lower is better";
  }

  @Override
  public List<Param> params() {
    return List.of(Param.count("steps", "32", "feature groups (Quantus: one feature per group)"),
        Param.positive("eps", "1e-5", "what counts as zero, for the attribution and the score change"),
        Param.choice("baseline", "black", FeatureBaseline.NAMES, "replacement value (Quantus: black)"));
  }

  @Override
  public Cost cost(MetricSample s) {
    int per = FaithfulnessEstimate.perStep(s.features(), s.params().count(this, "steps", 0));
    return new Cost((s.features() + per - 1) / per, 0);
  }

  @Override
  public Result measure(MetricSample s) {
    int f = s.features();
    int per = FaithfulnessEstimate.perStep(f, s.params().count(this, "steps", 0));
    int n = (f + per - 1) / per;
    double eps = s.params().number(this, "eps");
    FeatureBaseline baseline = FeatureBaseline.byName(s.params().text(this, "baseline"));
    float[] a = s.attribution(true, true);
    float[] x = s.input();
    float[] blurred = baseline == FeatureBaseline.BLUR ? Measures.blurred(s) : null;
    double[] range = Measures.range(s);
    double y = s.unperturbedScore();
    double[] scores = s.scoreFeatures(n, t -> {
      float[] p = x.clone();
      FeatureBaseline.Fill fill = baseline.fill(x, blurred, range, s.random(STREAM + 100, t));
      for (int i = t * per; i < Math.min(f, (t + 1) * per); i++) {
        p[i] = fill.at(i);
      }
      return p;
    });
    int violations = 0;
    for (int t = 0; t < n; t++) {
      boolean zero = true;
      for (int i = t * per; i < Math.min(f, (t + 1) * per); i++) {
        zero &= a[i] < eps;
      }
      boolean insensitive = Math.abs(scores[t] - y) < eps;
      violations += zero != insensitive ? 1 : 0;
    }
    double share = (double) violations / n;
    return new Result(Measures.json("violations", violations, "groups", n, "share", share, "eps", eps),
        Measures.headline("non_sensitivity", share));
  }
}
