package gradcam3d.metrics.measures;

import gradcam3d.Setting;
import gradcam3d.metrics.MetricSample;
import gradcam3d.metrics.NotApplicable;

/** The mask the localisation metrics compare with. */
final class Localisation {
  private Localisation() {}

  /** The sample's mask (1 inside); not applicable without one or when it is empty. */
  static float[] mask(MetricSample s) {
    float[] m = s.mask();
    if (m == null) {
      throw new NotApplicable("no mask to compare with: give " + Setting.LABEL.label()
          + ", or explain a segmentation target on the "
          + "input grid");
    }
    for (float v : m) {
      if (v > 0) {
        return m;
      }
    }
    throw new NotApplicable("the mask (" + s.maskSource() + ") is empty");
  }

  /** The map's sum inside the mask and in all: {inside, total}. */
  static double[] insideAndTotal(float[] mask, float[] map) {
    double inside = 0;
    double total = 0;
    for (int i = 0; i < map.length; i++) {
      total += map[i];
      inside += mask[i] > 0 ? map[i] : 0;
    }
    return new double[] {inside, total};
  }
}
