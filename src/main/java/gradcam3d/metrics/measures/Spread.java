package gradcam3d.metrics.measures;

import gradcam3d.metrics.Complexity;
import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricSample;

/** {@link Complexity} of the final map: its mean and the share of voxels above 0.5. */
public final class Spread implements Metric {
  public static final String SPREAD = "spread";

  @Override
  public String name() {
    return "spread";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.COMPLEXITY;
  }

  @Override
  public String definition() {
    return "mean of the final map and the share of voxels above 0.5";
  }

  @Override
  public Cost cost(MetricSample s) {
    return Cost.FREE;
  }

  @Override
  public Result measure(MetricSample s) {
    Complexity c = s.shared(SPREAD, () -> Complexity.of(s.cam()));
    return new Result(Measures.json("mean", c.mean(), "fraction_above_0.5", c.fractionAboveHalf()),
        Measures.headline("map_mean", c.mean(), "fraction_above_0.5", c.fractionAboveHalf()));
  }
}
