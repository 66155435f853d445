package gradcam3d.metrics.measures;

import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricSample;
import gradcam3d.metrics.Orders;

/**
 * Relevance rank accuracy (Arras et al. 2022; Quantus RelevanceRankAccuracy): of the |M| voxels
 * with the highest m / max |m| (ties by index), the share inside the mask M.
 */
public final class RelevanceRankAccuracy implements Metric {
  @Override
  public String name() {
    return "relevance-rank-accuracy";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.LOCALISATION;
  }

  @Override
  public String definition() {
    return "share of the map's top |M| voxels inside the mask M (Arras et al. 2022); higher is better";
  }

  @Override
  public Cost cost(MetricSample s) {
    return Cost.FREE;
  }

  @Override
  public Result measure(MetricSample s) {
    float[] mask = Localisation.mask(s);
    float[] m = s.map(false, true);
    int size = 0;
    for (float v : mask) {
      size += v > 0 ? 1 : 0;
    }
    int[] order = Orders.descending(m);
    int hits = 0;
    for (int j = 0; j < size; j++) {
      hits += mask[order[j]] > 0 ? 1 : 0;
    }
    double r = (double) hits / size;
    return new Result(Measures.json("accuracy", r, "mask_voxels", size, "mask", s.maskSource()),
        Measures.headline("relevance_rank_accuracy", r));
  }
}
