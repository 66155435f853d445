package gradcam3d.testing;

import gradcam3d.tensor.FloatTensor;
import java.util.Arrays;

/** Comparisons of tensors that only the tests make. */
public final class Tensors {
  private Tensors() {}

  /** max |a - b|, requiring equal shapes. */
  /** max |x| over the tensor (NaN when it holds a NaN). */
  public static float maxAbs(FloatTensor a) {
    float m = 0;
    for (float v : a.data()) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  public static float maxAbsDiff(FloatTensor a, FloatTensor b) {
    if (!Arrays.equals(a.shape(), b.shape())) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(a.shape()) + " vs " + Arrays.toString(b.shape()));
    }
    float[] x = a.data();
    float[] y = b.data();
    float m = 0;
    for (int i = 0; i < x.length; i++) {
      m = Math.max(m, Math.abs(x[i] - y[i]));
    }
    return m;
  }
}
