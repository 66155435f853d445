package gradcam3d.metrics.measures;

import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricSample;

/**
 * Pointing game (Zhang et al. 2018; Quantus PointingGame): 1 if a voxel holding the maximum of m
 * (any of them, when several share it) lies inside the mask, else 0.
 */
public final class PointingGame implements Metric {
  @Override
  public String name() {
    return "pointing-game";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.LOCALISATION;
  }

  @Override
  public String definition() {
    return "1 if the map's maximum lies inside the mask (Zhang et al. 2018)";
  }

  @Override
  public Cost cost(MetricSample s) {
    return Cost.FREE;
  }

  @Override
  public Result measure(MetricSample s) {
    float[] mask = Localisation.mask(s);
    float[] m = s.map(false, true);
    float max = Float.NEGATIVE_INFINITY;
    for (float v : m) {
      max = Math.max(max, v);
    }
    boolean hit = false;
    for (int i = 0; i < m.length; i++) {
      hit |= m[i] == max && mask[i] > 0;
    }
    return new Result(Measures.json("hit", hit, "mask", s.maskSource()), Measures.headline("pointing_game", hit ? 1 : 0));
  }
}
