package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import java.util.Arrays;
import java.util.Locale;

/**
 * What replaces removed voxels in the deletion curve (and what insertion starts from), per
 * channel of one sample [1, C, *S]:
 * <ul>
 *   <li>{@code blur}: Gaussian blur with sigma {@value #SIGMA} voxels along every spatial axis,
 *       kernel truncated at {@value #TRUNCATE} sigma (radius 16) and normalised to sum 1, edges
 *       continued with the nearest voxel (scipy.ndimage.gaussian_filter mode 'nearest');</li>
 *   <li>{@code mean}: the channel's mean over the volume;</li>
 *   <li>{@code zero}: 0.</li>
 * </ul>
 */
public enum Baseline {
  BLUR, MEAN, ZERO;

  public static final double SIGMA = 4.0;
  public static final double TRUNCATE = 4.0;

  public static Baseline byName(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Gradcam3dException("unknown baseline '" + name + "'; use blur, mean or zero");
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The baseline volume of one sample x [1, C, *S]. */
  public FloatTensor of(FloatTensor x) {
    long[] shape = x.shape();
    int channels = (int) shape[1];
    int voxels = x.size() / channels / (int) shape[0];
    float[] out = new float[x.size()];
    float[] d = x.data();
    for (int c = 0; c < out.length / voxels; c++) {
      int base = c * voxels;
      switch (this) {
        case ZERO:
          break;
        case MEAN: {
          double s = 0;
          for (int v = 0; v < voxels; v++) {
            s += d[base + v];
          }
          Arrays.fill(out, base, base + voxels, (float) (s / voxels));
          break;
        }
        case BLUR: {
          float[] ch = Arrays.copyOfRange(d, base, base + voxels);
          float[] blurred = blur(ch, Arrays.copyOfRange(shape, 2, shape.length));
          System.arraycopy(blurred, 0, out, base, voxels);
          break;
        }
        default:
          throw new IllegalStateException(name());
      }
    }
    return new FloatTensor(out, shape);
  }

  /** Normalised Gaussian weights for offsets -r..r, r = round(TRUNCATE * SIGMA). */
  static double[] kernel() {
    int r = (int) (TRUNCATE * SIGMA + 0.5);
    double[] k = new double[2 * r + 1];
    double sum = 0;
    for (int i = -r; i <= r; i++) {
      k[i + r] = Math.exp(-0.5 * i * i / (SIGMA * SIGMA));
      sum += k[i + r];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    return k;
  }

  /** Separable blur of one channel, axis by axis, in double precision. */
  static float[] blur(float[] values, long[] spatial) {
    double[] k = kernel();
    int r = k.length / 2;
    double[] cur = new double[values.length];
    for (int i = 0; i < cur.length; i++) {
      cur[i] = values[i];
    }
    int n = values.length;
    for (int axis = 0; axis < spatial.length; axis++) {
      int len = (int) spatial[axis];
      int stride = 1;
      for (int a = axis + 1; a < spatial.length; a++) {
        stride *= (int) spatial[a];
      }
      double[] next = new double[n];
      for (int i = 0; i < n; i++) {
        int pos = (i / stride) % len;
        int start = i - pos * stride;
        double s = 0;
        for (int o = -r; o <= r; o++) {
          int q = Math.min(len - 1, Math.max(0, pos + o));
          s += k[o + r] * cur[start + q * stride];
        }
        next[i] = s;
      }
      cur = next;
    }
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) cur[i];
    }
    return out;
  }
}
