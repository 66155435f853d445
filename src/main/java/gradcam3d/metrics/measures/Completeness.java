package gradcam3d.metrics.measures;

import gradcam3d.metrics.FeatureBaseline;
import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricParams.Param;
import gradcam3d.metrics.MetricSample;
import gradcam3d.metrics.NotApplicable;
import gradcam3d.metrics.TargetScorer;
import gradcam3d.tensor.FloatTensor;
import java.util.List;

/**
 * Completeness (Sundararajan et al. 2017; Quantus Completeness): whether the raw attribution sums
 * to the change of the explanation's own target between the baseline x' (every feature replaced)
 * and x: gap = sum(A) - (T(x) - T(x')), reported with |gap| / |T(x) - T(x')|. Quantus returns only
 * whether the two are equal, on a normalised attribution; the check means something only for the
 * raw attribution of a method that claims it (integrated gradients, LRP), so it needs one (an
 * input-space method's {@code Explanation.attribution()}); the baseline must be the method's own
 * (integrated gradients: zero, or blur with --ig-baseline blur; LRP's conservation, sum(R) = T(x):
 * {@code none}, T(x') taken as 0).
 */
public final class Completeness implements Metric {
  @Override
  public String name() {
    return "completeness";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.AXIOMATIC;
  }

  @Override
  public String definition() {
    return "sum of the raw attribution minus T(x) - T(baseline), and that gap relative to T(x) - T(baseline) "
        + "(Sundararajan et al. 2017); 0 = complete; needs an attribution method (integrated gradients, LRP)";
  }

  @Override
  public List<Param> params() {
    List<String> choices = new java.util.ArrayList<>(FeatureBaseline.NAMES);
    choices.add(NONE);
    return List.of(Param.choice("baseline", "zero", choices,
        "the method's baseline (integrated gradients: zero or blur; LRP's conservation: none, T(x') = 0; Quantus: "
            + "black)"));
  }

  /** No baseline: the attribution should sum to T(x) itself (LRP's conservation). */
  static final String NONE = "none";

  @Override
  public Cost cost(MetricSample s) {
    return new Cost(!s.hasAttribution() ? 0 : s.params().text(this, "baseline").equals(NONE) ? 1 : 2, 0);
  }

  @Override
  public Result measure(MetricSample s) {
    if (!s.hasAttribution()) {
      throw new NotApplicable("completeness needs a raw attribution in units of the target (integrated gradients, "
          + "LRP); " + "this method's map is normalised");
    }
    String which = s.params().text(this, "baseline");
    TargetScorer own = s.ownTargetScorer();
    double[] t;
    if (which.equals(NONE)) {
      t = new double[] {own.scores(1, j -> s.x())[0], 0};
    } else {
      FeatureBaseline baseline = FeatureBaseline.byName(which);
      float[] x = s.input();
      FeatureBaseline.Fill fill = baseline.fill(x, baseline == FeatureBaseline.BLUR ? Measures.blurred(s) : null,
          Measures.range(s), s.random(11, 0));
      float[] base = new float[x.length];
      for (int i = 0; i < base.length; i++) {
        base[i] = fill.at(i);
      }
      t = own.scores(2, j -> j == 0 ? s.x() : new FloatTensor(base, s.x().shape()));
    }
    double sum = 0;
    for (float v : s.rawAttribution()) {
      sum += v;
    }
    double change = t[0] - t[1];
    double gap = sum - change;
    double relative = Math.abs(gap) / Math.abs(change);
    return new Result(Measures.json("gap", gap, "relative_gap", relative, "attribution_sum", sum, "target_change",
        change, "baseline", which), Measures.headline("completeness_relative_gap", relative));
  }
}
