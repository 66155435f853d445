package gradcam3d.metrics.measures;

import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricParams.Param;
import gradcam3d.metrics.MetricSample;
import java.util.List;

/**
 * Effective complexity (Nguyen and Martínez 2020; Quantus EffectiveComplexity): the number of
 * voxels with |m| / max |m| > eps (and that count's share of the voxels).
 */
public final class EffectiveComplexity implements Metric {
  @Override
  public String name() {
    return "effective-complexity";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.COMPLEXITY;
  }

  @Override
  public String definition() {
    return "number (and share) of voxels whose |map| / max exceeds eps (Nguyen and Martinez 2020); lower is simpler";
  }

  @Override
  public List<Param> params() {
    return List.of(Param.positive("eps", "1e-5", "threshold on |m| / max |m| (Quantus: 1e-5)"));
  }

  @Override
  public Cost cost(MetricSample s) {
    return Cost.FREE;
  }

  @Override
  public Result measure(MetricSample s) {
    float[] a = s.map(true, true);
    double eps = s.params().number(this, "eps");
    long count = 0;
    for (float v : a) {
      count += v > eps ? 1 : 0;
    }
    double share = (double) count / a.length;
    return new Result(Measures.json("count", count, "share", share, "eps", eps),
        Measures.headline("effective_complexity", share));
  }
}
