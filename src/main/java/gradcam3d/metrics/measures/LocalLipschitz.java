package gradcam3d.metrics.measures;

import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricParams.Param;
import gradcam3d.metrics.MetricSample;
import gradcam3d.metrics.SeededRandom;
import java.util.List;

/**
 * Local Lipschitz estimate (Alvarez-Melis and Jaakkola 2018; Quantus LocalLipschitzEstimate): for
 * j = 0..samples-1 every feature gets Gaussian noise N(0, sigma^2), sigma = sigma * (max x - min
 * x) (Quantus: 0.1 on normalised images), drawn in feature order from stream (seed, 9, j); the
 * explanation is re-run with the fixed target; the estimate is max_j ||A - A_j|| / (||x - x_j|| +
 * 1e-10), both A normalised by their maximum |A| (lower is better).
 */
public final class LocalLipschitz implements Metric {
  static final int STREAM = 9;

  @Override
  public String name() {
    return "local-lipschitz";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.ROBUSTNESS;
  }

  @Override
  public String definition() {
    return "the largest ||A - A'|| / ||x - x'|| over re-explanations of inputs with Gaussian noise "
        + "(Alvarez-Melis and Jaakkola 2018); lower is better";
  }

  @Override
  public List<Param> params() {
    return List.of(Param.count("samples", "10", "noisy inputs, one explanation each (Quantus: 200)"),
        Param.fraction("sigma", "0.025", "noise sigma as a fraction of max x - min x (Quantus: 0.1 absolute)"));
  }

  @Override
  public Cost cost(MetricSample s) {
    return new Cost(0, s.params().count(this, "samples", 0));
  }

  @Override
  public Result measure(MetricSample s) {
    int samples = s.params().count(this, "samples", 0);
    double sigma = s.params().number(this, "sigma") * (s.max() - s.min());
    float[] a = s.attribution(false, true);
    float[] x = s.input();
    double[] ratios = new double[samples];
    double best = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < samples; j++) {
      SeededRandom rng = s.random(STREAM, j);
      float[] p = new float[x.length];
      double dx = 0;
      for (int i = 0; i < x.length; i++) {
        p[i] = (float) (x[i] + sigma * rng.nextGaussian());
        double d = (double) x[i] - p[i];
        dx += d * d;
      }
      MetricSample.Explained e = s.reexplain(s.volume(p));
      float[] b = MetricSample.preprocess(MetricSample.broadcast(e.map(), e.attribution(), s.channels()), false, true);
      double da = 0;
      for (int i = 0; i < a.length; i++) {
        double d = (double) a[i] - b[i];
        da += d * d;
      }
      ratios[j] = Math.sqrt(da) / (Math.sqrt(dx) + 1e-10);
      best = Math.max(best, ratios[j]);
    }
    return new Result(Measures.json("local_lipschitz", best, "samples", samples, "ratios", ratios),
        Measures.headline("local_lipschitz", best));
  }
}
