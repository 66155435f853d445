package gradcam3d.metrics.measures;

import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricSample;

/** Relevance mass accuracy (Arras et al. 2022; Quantus RelevanceMassAccuracy): sum(m inside) / sum(m), m / max |m|. */
public final class RelevanceMassAccuracy implements Metric {
  @Override
  public String name() {
    return "relevance-mass-accuracy";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.LOCALISATION;
  }

  @Override
  public String definition() {
    return "share of the map's mass inside the mask (Arras et al. 2022); higher is better";
  }

  @Override
  public Cost cost(MetricSample s) {
    return Cost.FREE;
  }

  @Override
  public Result measure(MetricSample s) {
    float[] mask = Localisation.mask(s);
    float[] m = s.map(false, true);
    double[] sums = Localisation.insideAndTotal(mask, m);
    double inside = sums[0];
    double total = sums[1];
    double r = total == 0 ? Double.NaN : inside / total;
    return new Result(Measures.json("accuracy", r, "mask", s.maskSource()),
        Measures.headline("relevance_mass_accuracy", r));
  }
}
