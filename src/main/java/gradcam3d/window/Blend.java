package gradcam3d.window;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import java.util.Locale;

/**
 * How overlapping windows are weighted: per axis, a Gaussian importance
 * exp(-(i - (n-1)/2)^2 / (2 (n/8)^2)) (centred between the middle voxels), nnU-Net v2's
 * (compute_gaussian: scipy's gaussian_filter of a delta at n // 2 with sigma n / 8, which reaches
 * every voxel of the window, so no weight is zero) or 1; a window's weight is the product over its
 * axes. {@link #NNUNET} also places the windows as nnU-Net's predictor does ({@link WindowGrid}:
 * an axis shorter than the window padded on both sides, starts rounded half to even).
 */
public enum Blend {
  GAUSSIAN, CONSTANT, NNUNET;

  public static Blend parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Gradcam3dException(Setting.BLEND, Setting.BLEND.label() + " must be gaussian, nnunet or constant, not '"
          + text + "'");
    }
  }

  /** The weights of the n positions of a window along one axis. */
  double[] axisWeights(int n) {
    double[] w = new double[n];
    double sigma = n / 8.0;
    double centre = this == NNUNET ? n / 2 : (n - 1) / 2.0;
    for (int i = 0; i < n; i++) {
      double d = i - centre;
      w[i] = this == CONSTANT ? 1 : Math.exp(-d * d / (2 * sigma * sigma));
    }
    return w;
  }

  /** Whether windows are placed as nnU-Net's predictor places them. */
  boolean nnunetPlacement() {
    return this == NNUNET;
  }
}
