package gradcam3d.metrics.measures;

import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricSample;

/**
 * Complexity (Bhatt et al. 2020; Quantus Complexity): the entropy -sum p log(p + 1e-12) of
 * p = a / sum |a|, a = |m| / max |m| (natural log; lower = simpler).
 */
public final class Entropy implements Metric {
  @Override
  public String name() {
    return "complexity";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.COMPLEXITY;
  }

  @Override
  public String definition() {
    return "entropy of the |map| as a distribution over voxels (Bhatt et al. 2020); lower is simpler";
  }

  @Override
  public Cost cost(MetricSample s) {
    return Cost.FREE;
  }

  @Override
  public Result measure(MetricSample s) {
    float[] a = s.map(true, true);
    double total = 0;
    for (float v : a) {
      total += Math.abs(v);
    }
    double h = 0;
    for (float v : a) {
      float p = (float) (v / total);
      h -= p * Math.log(p + 1e-12);
    }
    return new Result(Measures.json("entropy", h, "max_entropy", Math.log(a.length)),
        Measures.headline("complexity", h));
  }
}
