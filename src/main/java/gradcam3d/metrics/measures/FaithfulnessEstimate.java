package gradcam3d.metrics.measures;

import gradcam3d.metrics.FeatureBaseline;
import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricParams.Param;
import gradcam3d.metrics.MetricSample;
import gradcam3d.metrics.Similarity;
import java.util.List;

/**
 * Faithfulness estimate (Alvarez-Melis and Jaakkola 2018; Quantus FaithfulnessEstimate): the
 * features in order of decreasing attribution (ties by index) are cut into steps of
 * ceil(F / steps); each step alone (not cumulatively) is replaced by the baseline; the result is
 * Pearson's r between the steps' attribution sums and their score drops. A normalised by its
 * maximum |A|. Quantus perturbs one feature per step (F passes); here {@code steps} passes.
 */
public final class FaithfulnessEstimate implements Metric {
  static final int STREAM = 2;

  @Override
  public String name() {
    return "faithfulness-estimate";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.FAITHFULNESS;
  }

  @Override
  public String definition() {
    return "Pearson r between the attribution of each group of features (in decreasing attribution order) and "
        + "the score drop when that group alone is replaced (Alvarez-Melis and Jaakkola 2018); higher is better";
  }

  @Override
  public List<Param> params() {
    return List.of(Param.count("steps", "50", "feature groups, ceil(F/steps) features each (Quantus: one feature per step)"),
        Param.choice("baseline", "black", FeatureBaseline.NAMES, "replacement value (Quantus: black)"));
  }

  @Override
  public Cost cost(MetricSample s) {
    int per = perStep(s.features(), s.params().count(this, "steps", 0));
    return new Cost((s.features() + per - 1) / per, 0);
  }

  static int perStep(int features, int steps) {
    return (features + steps - 1) / steps;
  }

  @Override
  public Result measure(MetricSample s) {
    int f = s.features();
    int per = perStep(f, s.params().count(this, "steps", 0));
    int n = (f + per - 1) / per;
    FeatureBaseline baseline = FeatureBaseline.byName(s.params().text(this, "baseline"));
    float[] a = s.attribution(false, true);
    int[] order = gradcam3d.metrics.Orders.descending(a);
    float[] x = s.input();
    float[] blurred = baseline == FeatureBaseline.BLUR ? Measures.blurred(s) : null;
    double[] range = Measures.range(s);
    double y = s.unperturbedScore();
    double[] scores = s.scoreFeatures(n, t -> {
      float[] p = x.clone();
      FeatureBaseline.Fill fill = baseline.fill(x, blurred, range, s.random(STREAM + 100, t));
      for (int j = t * per; j < Math.min(f, (t + 1) * per); j++) {
        p[order[j]] = fill.at(order[j]);
      }
      return p;
    });
    double[] drops = new double[n];
    double[] sums = new double[n];
    for (int t = 0; t < n; t++) {
      drops[t] = y - scores[t];
      sums[t] = Measures.sum(a, order, t * per, Math.min(f, (t + 1) * per));
    }
    double rho = Similarity.pearson(sums, drops);
    return new Result(Measures.json("correlation", rho, "steps", n, "features_per_step", per, "baseline",
        baseline.label(), "attribution_sums", sums, "score_drops", drops),
        Measures.headline("faithfulness_estimate", rho));
  }
}
