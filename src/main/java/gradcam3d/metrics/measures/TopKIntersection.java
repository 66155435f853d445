package gradcam3d.metrics.measures;

import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricParams.Param;
import gradcam3d.metrics.MetricSample;
import gradcam3d.metrics.Orders;
import java.util.List;

/**
 * Top-k intersection (Theiner et al. 2021; Quantus TopKIntersection): the share of the k voxels
 * with the highest m / max |m| (ties by index) that lie inside the mask, k = round(fraction * N)
 * (Quantus: k = 1000 of 224 x 224, about 2 %).
 */
public final class TopKIntersection implements Metric {
  @Override
  public String name() {
    return "top-k-intersection";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.LOCALISATION;
  }

  @Override
  public String definition() {
    return "share of the map's top k voxels inside the mask (Theiner et al. 2021); higher is better";
  }

  @Override
  public List<Param> params() {
    return List.of(Param.fraction("fraction", "0.02", "k as a share of the voxels"));
  }

  @Override
  public Cost cost(MetricSample s) {
    return Cost.FREE;
  }

  @Override
  public Result measure(MetricSample s) {
    float[] mask = Localisation.mask(s);
    float[] m = s.map(false, true);
    int k = (int) Math.max(1, Math.min(m.length, Math.round(s.params().number(this, "fraction") * m.length)));
    int[] order = Orders.descending(m);
    int hits = 0;
    for (int j = 0; j < k; j++) {
      hits += mask[order[j]] > 0 ? 1 : 0;
    }
    double r = (double) hits / k;
    return new Result(Measures.json("intersection", r, "k", k, "mask", s.maskSource()),
        Measures.headline("top_k_intersection", r));
  }
}
