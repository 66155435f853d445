package gradcam3d.metrics.measures;

import gradcam3d.metrics.Baseline;
import gradcam3d.metrics.MetricSample;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small shared pieces of the metric classes. */
final class Measures {
  private Measures() {}

  /** An ordered map from alternating keys and values. */
  static Map<String, Object> json(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      Object v = kv[i + 1];
      m.put((String) kv[i], v instanceof Double d && !Double.isFinite(d) ? null : v);
    }
    return m;
  }

  /** Headline numbers from alternating names and values. */
  static Map<String, Double> headline(Object... kv) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
    }
    return m;
  }

  static double sum(float[] a, int[] idx, int from, int to) {
    double s = 0;
    for (int j = from; j < to; j++) {
      s += a[idx[j]];
    }
    return s;
  }

  /** The sample's input blurred as the curves' blur baseline (C * N), made once per sample. */
  static float[] blurred(MetricSample s) {
    return s.shared("baseline:blur", () -> Baseline.BLUR.of(s.x())).data();
  }

  /** [min, max] of the sample. */
  static double[] range(MetricSample s) {
    return new double[] {s.min(), s.max()};
  }

  /** The features of {@code voxels} (flat voxel indices) on every channel. */
  static int[] allChannels(int[] voxels, int n, int channels) {
    int[] out = new int[voxels.length * channels];
    for (int c = 0; c < channels; c++) {
      for (int j = 0; j < voxels.length; j++) {
        out[c * voxels.length + j] = c * n + voxels[j];
      }
    }
    return out;
  }

  static double[] toDoubles(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }
}
