package gradcam3d.metrics.measures;

import gradcam3d.metrics.MetricSample;
import gradcam3d.metrics.SeededRandom;

/**
 * The noisy re-explanations max- and avg-sensitivity share (Yeh et al. 2019; Quantus
 * MaxSensitivity, AvgSensitivity): for j = 0..samples-1 every feature of x gets uniform noise
 * from U(-r, r), r = radius * (max x - min x) (Quantus: U(-0.2, 0.2) on normalised images),
 * drawn in feature order from stream (seed, 8, j); the explanation is re-run with the fixed target
 * and sensitivity_j = ||A - A_j|| / ||A|| (Frobenius norms of the raw, unnormalised attributions).
 */
final class Sensitivity {
  static final int STREAM = 8;

  private Sensitivity() {}

  /** The per-sample sensitivities, computed once per sample for both metrics. */
  static double[] of(MetricSample s, int samples, double radius) {
    return s.shared("sensitivity:" + samples + ":" + radius, () -> compute(s, samples, radius));
  }

  private static double[] compute(MetricSample s, int samples, double radius) {
    float[] a = s.attribution(false, false);
    double norm = 0;
    for (float v : a) {
      norm += (double) v * v;
    }
    norm = Math.sqrt(norm);
    double r = radius * (s.max() - s.min());
    float[] x = s.input();
    double[] out = new double[samples];
    for (int j = 0; j < samples; j++) {
      SeededRandom rng = s.random(STREAM, j);
      float[] p = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        p[i] = (float) (x[i] + rng.uniform(-r, r));
      }
      MetricSample.Explained e = s.reexplain(s.volume(p));
      float[] b = MetricSample.broadcast(e.map(), e.attribution(), s.channels());
      double d = 0;
      for (int i = 0; i < a.length; i++) {
        double diff = (double) a[i] - b[i];
        d += diff * diff;
      }
      out[j] = Math.sqrt(d) / norm;
    }
    return out;
  }
}
