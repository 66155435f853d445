package gradcam3d.metrics.measures;

import gradcam3d.metrics.CascadingRandomization;
import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricSample;
import gradcam3d.metrics.NotApplicable;
import gradcam3d.metrics.Similarity;

/**
 * Efficient MPRT (Hedström et al. 2024; Quantus EfficientMPRT): every weighted layer randomised at
 * once (the cascade's last step), the explanation re-run with the fixed target, and the relative
 * rise in the map's discrete entropy (100-bin histogram of the raw m, Quantus' discrete_entropy):
 * (H(m') - H(m)) / H(m) (higher = the map loses its structure with the weights, as it should).
 */
public final class EfficientMprt implements Metric {
  static final int BINS = 100;

  @Override
  public String name() {
    return "efficient-mprt";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.RANDOMISATION;
  }

  @Override
  public String definition() {
    return "relative rise of the map's histogram entropy when all weights are randomised (Hedstrom et al. 2024); "
        + "higher is better";
  }

  @Override
  public Cost cost(MetricSample s) {
    return new Cost(0, 1);
  }

  @Override
  public Result measure(MetricSample s) {
    int all = CascadingRandomization.layerCount(s.model());
    if (all == 0) {
      throw new NotApplicable("the model has no Conv, ConvTranspose, Gemm or MatMul layer with weights to randomise");
    }
    float[] m = s.map(false, false);
    float[] other = s.reexplain(CascadingRandomization.randomized(s.model(), all, s.seed()), s.x(), s.fixedTarget())
        .map();
    double before = Similarity.histogramEntropy(m, BINS);
    double after = Similarity.histogramEntropy(other, BINS);
    double rise = (after - before) / before;
    return new Result(Measures.json("relative_entropy_rise", rise, "entropy", before, "entropy_randomised", after,
        "randomised_layers", all), Measures.headline("efficient_mprt", rise));
  }
}
