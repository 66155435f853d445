package gradcam3d.metrics.measures;

import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricSample;

/**
 * Attribution localisation (Kohlbrenner et al. 2020; Quantus AttributionLocalisation, unweighted):
 * with a = |m| / max |m|, the share sum(a inside) / (sum(a) + 1e-9); NaN if above 1.
 */
public final class AttributionLocalisation implements Metric {
  @Override
  public String name() {
    return "attribution-localisation";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.LOCALISATION;
  }

  @Override
  public String definition() {
    return "share of the |map| inside the mask (Kohlbrenner et al. 2020); higher is better";
  }

  @Override
  public Cost cost(MetricSample s) {
    return Cost.FREE;
  }

  @Override
  public Result measure(MetricSample s) {
    float[] mask = Localisation.mask(s);
    float[] a = s.map(true, true);
    double[] sums = Localisation.insideAndTotal(mask, a);
    double inside = sums[0];
    double total = sums[1];
    double r = inside / (total + 1e-9);
    if (r > 1) {
      r = Double.NaN;
    }
    return new Result(Measures.json("share_inside", r, "mask", s.maskSource()),
        Measures.headline("attribution_localisation", r));
  }
}
