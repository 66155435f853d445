package gradcam3d.cam;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;

/** Element-wise host arithmetic on [B, C, *S] tensors for the input-space methods. */
public final class Channels {
  private Channels() {}

  /** max over channels of |a|: [B, C, *S] to [B, *S]. */
  public static FloatTensor maxAbs(FloatTensor a) {
    return reduce(a, true);
  }

  /** sum over channels: [B, C, *S] to [B, *S]. */
  public static FloatTensor sum(FloatTensor a) {
    return reduce(a, false);
  }

  private static FloatTensor reduce(FloatTensor a, boolean maxAbs) {
    long[] s = a.shape();
    int batch = (int) s[0];
    int channels = (int) s[1];
    long[] spatial = Arrays.copyOfRange(s, 2, s.length);
    int voxels = (int) Shapes.numel(spatial);
    float[] d = a.data();
    float[] out = new float[batch * voxels];
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < channels; c++) {
        int base = (b * channels + c) * voxels;
        for (int v = 0; v < voxels; v++) {
          float x = d[base + v];
          int o = b * voxels + v;
          out[o] = maxAbs ? (c == 0 ? Math.abs(x) : Math.max(out[o], Math.abs(x))) : out[o] + x;
        }
      }
    }
    return new FloatTensor(out, Shapes.concat(new long[] {batch}, spatial));
  }

  /** x * y element-wise (same shapes). */
  public static FloatTensor times(FloatTensor x, FloatTensor y) {
    float[] a = x.data();
    float[] b = y.data();
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] * b[i];
    }
    return new FloatTensor(out, x.shape());
  }

  /** x - y element-wise (same shapes). */
  public static FloatTensor minus(FloatTensor x, FloatTensor y) {
    float[] a = x.data();
    float[] b = y.data();
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] - b[i];
    }
    return new FloatTensor(out, x.shape());
  }

  /** |x| element-wise. */
  public static FloatTensor abs(FloatTensor x) {
    float[] a = x.data();
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = Math.abs(a[i]);
    }
    return new FloatTensor(out, x.shape());
  }

  /** A [B, C, *S] tensor times a per-sample map [B, *S], broadcast over channels. */
  public static FloatTensor timesMap(FloatTensor a, FloatTensor map) {
    long[] s = a.shape();
    int batch = (int) s[0];
    int channels = (int) s[1];
    int voxels = (int) Shapes.numel(Arrays.copyOfRange(s, 2, s.length));
    float[] d = a.data();
    float[] m = map.data();
    float[] out = new float[d.length];
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < channels; c++) {
        int base = (b * channels + c) * voxels;
        for (int v = 0; v < voxels; v++) {
          out[base + v] = d[base + v] * m[b * voxels + v];
        }
      }
    }
    return new FloatTensor(out, s);
  }
}
