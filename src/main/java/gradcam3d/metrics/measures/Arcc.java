package gradcam3d.metrics.measures;

import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricSample;
import gradcam3d.metrics.NotApplicable;
import java.util.List;

/**
 * pytorch-grad-cam's ARCC: 3 / (1 / (coherency + 1e-8) + 1 / ((1 - complexity) + 1e-8) + 1 /
 * (road + 1e-8)), the harmonic mean of coherency (Pearson's r, sample covariances with
 * eps 1e-8, between the map and the map re-explained on x * map, mapped to (r + 1) / 2),
 * 1 - complexity (mean |cam|) and ROAD (the combined score over percentiles 20, 40, 60, 80,
 * times 2, clipped to [0, 1]). Costs one explanation re-run and 8 forward passes.
 */
public final class Arcc implements Metric {
  static final double[] PERCENTILES = {20, 40, 60, 80};

  @Override
  public String name() {
    return "arcc";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.FAITHFULNESS;
  }

  @Override
  public String definition() {
    return "harmonic mean of coherency (the map against the map of input x map), 1 - complexity (mean map) and "
        + "ROAD (percentiles 20..80, x2, clipped) (pytorch-grad-cam's ARCC); higher is better";
  }

  @Override
  public List<gradcam3d.metrics.MetricParams.Param> params() {
    return List.of(gradcam3d.metrics.MetricParams.Param.positive("noise", "0.0025",
        "ROAD's imputation noise, as road.noise"));
  }

  @Override
  public Cost cost(MetricSample s) {
    return new Cost(2L * PERCENTILES.length, 1);
  }

  @Override
  public Result measure(MetricSample s) {
    float[] cam = s.cam();
    float[] x = s.input();
    int n = s.voxels();
    double complexity = 0;
    for (float v : cam) {
      complexity += Math.abs(v) / (double) n;
    }
    float[] mixed = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      mixed[i] = x[i] * cam[i % n];
    }
    float[] again;
    try {
      again = s.reexplain(s.volume(mixed)).cam();
    } catch (gradcam3d.Gradcam3dException e) {
      throw new NotApplicable("ARCC's coherency needs the map of x * map, which failed: " + e.getMessage());
    }
    double coherency = (coherencyPearson(again, cam) + 1) / 2;
    Road.Combined road = Road.combined(s, PERCENTILES, s.params().number(this, "noise") * (s.max() - s.min()),
        Road.STREAM + 10);
    double r = Math.max(0, Math.min(1, road.combined() * 2));
    double arcc = 3 / (1 / (coherency + 1e-8) + 1 / ((1 - complexity) + 1e-8) + 1 / (r + 1e-8));
    return new Result(Measures.json("arcc", arcc, "coherency", coherency, "complexity", complexity, "road", r,
        "road_combined", road.combined()), Measures.headline("arcc", arcc));
  }

  /** pytorch-grad-cam's batch_pearson_coherency for one pair: cov / (std_a std_b + 1e-8), n - 1 normalisation. */
  static double coherencyPearson(float[] a, float[] b) {
    int n = a.length;
    double ma = 0;
    double mb = 0;
    for (int i = 0; i < n; i++) {
      ma += a[i];
      mb += b[i];
    }
    ma /= n;
    mb /= n;
    double cov = 0;
    double va = 0;
    double vb = 0;
    for (int i = 0; i < n; i++) {
      cov += (a[i] - ma) * (b[i] - mb);
      va += (a[i] - ma) * (a[i] - ma);
      vb += (b[i] - mb) * (b[i] - mb);
    }
    cov /= n - 1;
    return cov / (Math.sqrt(va / (n - 1)) * Math.sqrt(vb / (n - 1)) + 1e-8);
  }
}
