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
      int from = b * n;
      int to = from + n;
      float[] range = range(d, from, to);
      float min = range[0];
      float max = range[1];
      if (range[2] != 0 || Float.isInfinite(min) || Float.isInfinite(max)) {
        byFolds(d, from, to, range[2] != 0 ? Float.NaN : min);
        continue;
      }
      // the largest shifted value is the largest value shifted: x - min rounds monotonically in x
      // (and a value equal to min gives +0.0), so one pass finds both and one pass writes
      float shiftedMax = max - min;
      chunks(from, to, (lo, hi) -> {
        if (shiftedMax > 0) {
          for (int i = lo; i < hi; i++) {
            d[i] = (d[i] - min) / shiftedMax;
          }
        } else {
          for (int i = lo; i < hi; i++) {
            d[i] = d[i] - min;
          }
        }
      });
    }
    return x;
  }

  /** Samples at least this large are read and written in chunks on every core. */
  private static final int PARALLEL_VALUES = 1 << 20;
  private static final int CHUNK = 1 << 18;

  /** Work on the values [lo, hi) of a sample. */
  @FunctionalInterface
  private interface Span {
    void run(int lo, int hi);
  }

  /** Runs {@code body} over [from, to) in chunks of CHUNK values, on every core for a large sample. */
  private static void chunks(int from, int to, Span body) {
    int count = Math.max(1, (to - from + CHUNK - 1) / CHUNK);
    java.util.function.IntConsumer chunk = c -> body.run(from + c * CHUNK, Math.min(to, from + (c + 1) * CHUNK));
    if (to - from < PARALLEL_VALUES) {
      for (int c = 0; c < count; c++) {
        chunk.accept(c);
      }
    } else {
      gradcam3d.Chunks.run(count, chunk);
    }
  }

  /**
   * {min, max, 1 if a NaN was seen else 0} of d[from, to): Math.min's and Math.max's folds over the
   * values that are not NaN, in plain comparisons (FloatFolds), chunk by chunk; the folds are
   * associative and commutative (-0.0 below +0.0), so the chunks' results combine to the same bits.
   */
  private static float[] range(float[] d, int from, int to) {
    float[][] parts = new float[Math.max(1, (to - from + CHUNK - 1) / CHUNK)][];
    chunks(from, to, (lo, hi) -> {
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      boolean nan = false;
      for (int i = lo; i < hi; i++) {
        float v = d[i];
        if (v != v) {
          nan = true;
        } else {
          min = FloatFolds.lower(min, v);
          max = FloatFolds.higher(max, v);
        }
      }
      parts[(lo - from) / CHUNK] = new float[] {min, max, nan ? 1 : 0};
    });
    float[] all = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0};
    for (float[] p : parts) {
      all[0] = FloatFolds.lower(all[0], p[0]);
      all[1] = FloatFolds.higher(all[1], p[1]);
      all[2] = Math.max(all[2], p[2]);
    }
    return all;
  }

  /**
   * The normalisation by its definition, for a sample holding NaN or an infinity: the values
   * shifted by Math.min's fold {@code min} while Math.max's fold runs over them, then the division.
   */
  private static void byFolds(float[] d, int from, int to, float min) {
    float max = Float.NEGATIVE_INFINITY;
    boolean nan = false;
    for (int i = from; i < to; i++) {
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
      for (int i = from; i < to; i++) {
        d[i] = d[i] / max;
      }
    }
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
