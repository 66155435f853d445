package gradcam3d.metrics.measures;

import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricSample;
import java.util.Arrays;

/**
 * Sparseness (Chalasani et al. 2020; Quantus Sparseness): the Gini index of a = |m| / max |m| +
 * 1e-7, sum_i (2i - N - 1) a_(i) / (N sum a) over the values sorted increasingly (i = 1..N);
 * 1 = all mass in one voxel (higher is sparser).
 */
public final class Sparseness implements Metric {
  @Override
  public String name() {
    return "sparseness";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.COMPLEXITY;
  }

  @Override
  public String definition() {
    return "Gini index of the |map| (Chalasani et al. 2020); higher = fewer voxels carry the mass";
  }

  @Override
  public Cost cost(MetricSample s) {
    return Cost.FREE;
  }

  @Override
  public Result measure(MetricSample s) {
    float[] m = s.map(true, true);
    int n = m.length;
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = m[i] + 1e-7f;
    }
    Arrays.sort(a);
    double num = 0;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      num += (2.0 * (i + 1) - n - 1) * a[i];
      sum += a[i];
    }
    double gini = num / (n * sum);
    return new Result(Measures.json("gini", gini), Measures.headline("sparseness", gini));
  }
}
