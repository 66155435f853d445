package gradcam3d.tensor;

/**
 * Separable Gaussian blur along every spatial axis, in double precision: weights for offsets -r..r,
 * r = round(truncate * sigma), normalised to sum 1; edges continued with the nearest voxel
 * (scipy.ndimage.gaussian_filter mode 'nearest'). Shared by the metrics' blur baseline and
 * integrated gradients' blurred baseline.
 */
public final class GaussianBlur {
  private GaussianBlur() {}

  /** Every channel of x [B, C, *S] blurred on its own. */
  public static FloatTensor perChannel(FloatTensor x, double sigma, double truncate) {
    long[] shape = x.shape();
    long[] spatial = java.util.Arrays.copyOfRange(shape, 2, shape.length);
    int voxels = (int) Shapes.numel(spatial);
    float[] d = x.data();
    float[] out = new float[d.length];
    for (int base = 0; base < d.length; base += voxels) {
      float[] blurred = blur(java.util.Arrays.copyOfRange(d, base, base + voxels), spatial, sigma, truncate);
      System.arraycopy(blurred, 0, out, base, voxels);
    }
    return new FloatTensor(out, shape);
  }

  /** Normalised Gaussian weights for offsets -r..r. */
  static double[] kernel(double sigma, double truncate) {
    int r = (int) (truncate * sigma + 0.5);
    double[] k = new double[2 * r + 1];
    double sum = 0;
    for (int i = -r; i <= r; i++) {
      k[i + r] = Math.exp(-0.5 * i * i / (sigma * sigma));
      sum += k[i + r];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    return k;
  }

  /** One channel [*spatial], axis by axis. */
  public static float[] blur(float[] values, long[] spatial, double sigma, double truncate) {
    double[] k = kernel(sigma, truncate);
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
