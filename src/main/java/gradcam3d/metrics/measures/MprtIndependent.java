package gradcam3d.metrics.measures;

import gradcam3d.metrics.CascadingRandomization;
import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricParams.Param;
import gradcam3d.metrics.MetricSample;
import gradcam3d.metrics.NotApplicable;
import gradcam3d.metrics.Similarity;
import java.util.ArrayList;
import java.util.List;

/**
 * Model parameter randomisation, independent (Adebayo et al. 2018; Quantus MPRT with
 * layer_order="independent"): each weighted layer alone (from the output backwards, at most
 * {@code layers} of them) gets the noise the cascade gives it ({@link CascadingRandomization}),
 * the explanation is re-run with the fixed target, and Spearman's rho between |m| and |m'| is
 * reported per layer and averaged (lower = the map depends on the weights, as it should).
 */
public final class MprtIndependent implements Metric {
  @Override
  public String name() {
    return "mprt-independent";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.RANDOMISATION;
  }

  @Override
  public String definition() {
    return "Spearman rho between the map and the map with one layer's weights randomised, each layer alone "
        + "(Adebayo et al. 2018, independent); lower is better";
  }

  @Override
  public List<Param> params() {
    return List.of(Param.count("layers", "auto", "at most this many layers, from the output (auto: all)"));
  }

  int layers(MetricSample s) {
    int all = CascadingRandomization.layerCount(s.model());
    return Math.min(all, s.params().count(this, "layers", all));
  }

  @Override
  public Cost cost(MetricSample s) {
    return new Cost(0, layers(s));
  }

  @Override
  public Result measure(MetricSample s) {
    int n = layers(s);
    if (n == 0) {
      throw new NotApplicable("the model has no Conv, ConvTranspose, Gemm or MatMul layer with weights to randomise");
    }
    float[] m = s.map(true, true);
    double[] rhos = new double[n];
    List<String> names = new ArrayList<>();
    double mean = 0;
    for (int i = 0; i < n; i++) {
      float[] other = s.reexplain(CascadingRandomization.randomizedLayer(s.model(), i, s.seed()), s.x(),
          s.fixedTarget()).map();
      rhos[i] = Similarity.spearman(Measures.toDoubles(m), Measures.toDoubles(MetricSample.preprocess(other, true, true)));
      names.add(CascadingRandomization.layerName(s.model(), i));
      mean += rhos[i] / n;
    }
    return new Result(Measures.json("mean_spearman", mean, "layers", names, "spearman", rhos),
        Measures.headline("mprt_independent", mean));
  }
}
