package gradcam3d.metrics.measures;

import gradcam3d.metrics.CascadingRandomization;
import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricSample;
import gradcam3d.metrics.NotApplicable;
import java.util.Map;

/**
 * Model parameter randomisation, cascading ({@link CascadingRandomization}; Adebayo et al. 2018,
 * Quantus MPRT top_down): run once per batch by the evaluation (it is what --sanity turns on);
 * per sample its steps' Spearman correlations, the headline being the last step's.
 */
public final class Mprt implements Metric {
  /** Where the evaluation leaves the batch's cascade in each sample's shared values. */
  public static final String CASCADE = "mprt";

  @Override
  public String name() {
    return "mprt";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.RANDOMISATION;
  }

  @Override
  public String definition() {
    return "cascading weight randomisation from the output backwards; Spearman rho with the original map per "
        + "step, a warning above 0.9 once half the layers are random (Adebayo et al. 2018); lower is better";
  }

  @Override
  public Cost cost(MetricSample s) {
    int layers = CascadingRandomization.layerCount(s.model());
    return new Cost(0, Math.max(1, Math.min(s.settings().sanitySteps(), layers)));
  }

  @Override
  public Result measure(MetricSample s) {
    CascadingRandomization.Result r = s.shared(CASCADE, () -> null);
    if (r == null || r.steps().isEmpty()) {
      throw new NotApplicable("the cascading randomisation ran for the batch, not this sample");
    }
    double last = r.steps().get(r.steps().size() - 1).spearman();
    return new Result(Map.of("see", "randomization"), Measures.headline("mprt_last_spearman", last));
  }
}
