package gradcam3d.cam;

import gradcam3d.tensor.FloatFolds;
import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The last stage of the map contract, kept apart from the resize so that maps of separate
 * windows can be blended before one global normalisation: min-max per sample to [0, 1] (a map
 * that is zero everywhere stays zero); several layers: the mean of their normalised maps,
 * min-maxed again.
 */
public final class Normalise {
  private Normalise() {}

  /** Min-max over all but the first axis, per sample, in float32 as the graph did. */
  public static FloatTensor perSample(FloatTensor x) {
    return perSampleInPlace(new FloatTensor(x.data().clone(), x.shape()));
  }

  /**
   * The same, overwriting {@code x} and returning it: a whole-volume map (sliding windows) is
   * normalised without a second volume-sized array.
   */
  public static FloatTensor perSampleInPlace(FloatTensor x) {
    int batch = (int) x.dim(0);
    int n = x.size() / batch;
    float[] d = x.data();
    for (int b = 0; b < batch; b++) {
      // Math.min's and Math.max's folds (NaN wins) in plain comparisons (FloatFolds): about half the
      // time of a 192^3 map's normalisation
      float min = Float.POSITIVE_INFINITY;
      boolean nan = false;
      for (int i = b * n; i < (b + 1) * n; i++) {
        float v = d[i];
        if (v != v) {
          nan = true;
        } else {
          min = FloatFolds.lower(min, v);
        }
      }
      min = nan ? Float.NaN : min;
      float max = Float.NEGATIVE_INFINITY;
      nan = false;
      for (int i = b * n; i < (b + 1) * n; i++) {
        float v = d[i] - min;
        d[i] = v;
        if (v != v) {
          nan = true;
        } else {
          max = FloatFolds.higher(max, v);
        }
      }
      max = nan ? Float.NaN : max;
      if (max > 0) {
        for (int i = b * n; i < (b + 1) * n; i++) {
          d[i] = d[i] / max;
        }
      }
    }
    return x;
  }

  /** The mean of several normalised maps, normalised again (one map: itself). */
  public static FloatTensor aggregate(List<FloatTensor> normalised) {
    if (normalised.size() == 1) {
      return normalised.get(0);
    }
    float[] sum = normalised.get(0).data().clone();
    for (int k = 1; k < normalised.size(); k++) {
      float[] d = normalised.get(k).data();
      for (int i = 0; i < sum.length; i++) {
        sum[i] += d[i];
      }
    }
    float inv = (float) (1.0 / normalised.size());
    for (int i = 0; i < sum.length; i++) {
      sum[i] *= inv;
    }
    return perSampleInPlace(new FloatTensor(sum, normalised.get(0).shape()));
  }

  /** An explanation with resized maps to one with final maps and their aggregate (the mean). */
  public static Explanation apply(Explanation resized) {
    return apply(resized, null);
  }

  /**
   * The same, the layers' final maps combined as {@code method} combines them
   * ({@link CamMethod#combineLayers}; null: their mean, normalised again).
   */
  public static Explanation apply(Explanation resized, CamMethod method) {
    long t0 = System.nanoTime();
    List<Explanation.LayerMap> layers = new ArrayList<>();
    List<FloatTensor> finals = new ArrayList<>();
    for (Explanation.LayerMap l : resized.layers()) {
      FloatTensor cam = perSample(l.cam());
      finals.add(cam);
      layers.add(new Explanation.LayerMap(l.layer(), l.shape(), l.camLayer(), cam, l.activation(), l.gradient(),
          l.channelWeights(), l.weightsIllConditioned()));
    }
    FloatTensor aggregate = method == null ? aggregate(finals) : method.combineLayers(finals);
    double ms = (System.nanoTime() - t0) / 1e6;
    return resized.withMaps(layers, aggregate, ms);
  }
}
