package gradcam3d.metrics.measures;

import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricParams.Param;
import gradcam3d.metrics.MetricSample;
import java.util.List;

/**
 * Max-sensitivity (Yeh et al. 2019; Quantus MaxSensitivity): the largest of {@link Sensitivity}'s
 * ||A - A_j|| / ||A|| over the noisy re-explanations (lower is better). max- and avg-sensitivity
 * with the same parameters share their re-explanations.
 */
public final class MaxSensitivity implements Metric {
  @Override
  public String name() {
    return "max-sensitivity";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.ROBUSTNESS;
  }

  @Override
  public String definition() {
    return "the largest relative change ||A - A'|| / ||A|| of the attribution re-explained on inputs with uniform "
        + "noise in an L-inf ball (Yeh et al. 2019); lower is better";
  }

  @Override
  public List<Param> params() {
    return List.of(Param.count("samples", "10", "noisy inputs, one explanation each (Quantus: 200)"),
        Param.fraction("radius", "0.05", "noise bound as a fraction of max x - min x (Quantus: 0.2 absolute)"));
  }

  @Override
  public Cost cost(MetricSample s) {
    return new Cost(0, s.params().count(this, "samples", 0));
  }

  @Override
  public Result measure(MetricSample s) {
    double[] v = Sensitivity.of(s, s.params().count(this, "samples", 0), s.params().number(this, "radius"));
    double r = max(v);
    return new Result(Measures.json("max_sensitivity", r, "samples", v.length, "sensitivities", v),
        Measures.headline("max_sensitivity", r));
  }

  static double max(double[] v) {
    double m = Double.NEGATIVE_INFINITY;
    for (double d : v) {
      m = Math.max(m, d);
    }
    return m;
  }
}
