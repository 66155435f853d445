package gradcam3d.window;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import java.util.Locale;

/**
 * How overlapping windows are weighted: per axis, a Gaussian importance
 * exp(-(i - (n-1)/2)^2 / (2 (n/8)^2)) (nnU-Net, MONAI) or 1; a window's weight is the product
 * over its axes.
 */
public enum Blend {
  GAUSSIAN, CONSTANT;

  public static Blend parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Gradcam3dException(Setting.BLEND, Setting.BLEND.label() + " must be gaussian or constant, not '"
          + text + "'");
    }
  }

  /** The weights of the n positions of a window along one axis. */
  double[] axisWeights(int n) {
    double[] w = new double[n];
    double sigma = n / 8.0;
    for (int i = 0; i < n; i++) {
      double d = i - (n - 1) / 2.0;
      w[i] = this == CONSTANT ? 1 : Math.exp(-d * d / (2 * sigma * sigma));
    }
    return w;
  }
}
