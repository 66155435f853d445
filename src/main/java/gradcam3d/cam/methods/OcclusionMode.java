package gradcam3d.cam.methods;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.cam.PatchScorer;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.Locale;

/**
 * What an occluded window's voxels become (MONAI 1.3.2 OcclusionSensitivity's {@code mode}):
 * <ul>
 *   <li>{@code gaussian}: multiplied by 1 - a Gaussian centred on the window ({@link #gaussianMultiplier});
 *       the windows' scores are then blended with Gaussian weights;</li>
 *   <li>{@code mean_patch}: replaced by the mean of the window (all its channels and voxels), as
 *       MONAI documents it (MONAI 1.3.2 itself multiplies the window by that mean);</li>
 *   <li>{@code mean_img}: replaced by the mean of the whole sample (all channels);</li>
 *   <li>a number: replaced by that value.</li>
 * </ul>
 * The last three blend with constant weights. Library callers may give their own mode.
 */
public interface OcclusionMode {
  /** The command-line spelling. */
  String label();

  /** Whether overlapping windows' scores blend with MONAI's Gaussian importance map (else constant). */
  default boolean gaussianBlend() {
    return false;
  }

  /** The occluder for windows of {@code size} on sample x [1, C, *S]. */
  PatchScorer.Occluder occluder(FloatTensor x, long[] size);

  OcclusionMode GAUSSIAN = new OcclusionMode() {
    @Override
    public String label() {
      return "gaussian";
    }

    @Override
    public boolean gaussianBlend() {
      return true;
    }

    @Override
    public PatchScorer.Occluder occluder(FloatTensor x, long[] size) {
      float[] mul = gaussianMultiplier(size);
      return patch -> {
        for (int i = 0; i < patch.length; i++) {
          patch[i] *= mul[i % mul.length];
        }
      };
    }
  };

  OcclusionMode MEAN_PATCH = new OcclusionMode() {
    @Override
    public String label() {
      return "mean_patch";
    }

    @Override
    public PatchScorer.Occluder occluder(FloatTensor x, long[] size) {
      return patch -> java.util.Arrays.fill(patch, (float) mean(patch));
    }
  };

  OcclusionMode MEAN_IMAGE = new OcclusionMode() {
    @Override
    public String label() {
      return "mean_img";
    }

    @Override
    public PatchScorer.Occluder occluder(FloatTensor x, long[] size) {
      float m = (float) mean(x.data());
      return patch -> java.util.Arrays.fill(patch, m);
    }
  };

  /** Replaces every occluded voxel by {@code value}. */
  static OcclusionMode value(float value) {
    if (!Float.isFinite(value)) {
      throw new Gradcam3dException(Setting.OCCLUSION_MODE, Setting.OCCLUSION_MODE.label()
          + " must be a finite number, not " + value);
    }
    return new OcclusionMode() {
      @Override
      public String label() {
        return Float.toString(value);
      }

      @Override
      public PatchScorer.Occluder occluder(FloatTensor x, long[] size) {
        return patch -> java.util.Arrays.fill(patch, value);
      }
    };
  }

  /** gaussian, mean_patch, mean_img or a number. */
  static OcclusionMode parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    switch (t) {
      case "gaussian": return GAUSSIAN;
      case "mean_patch": return MEAN_PATCH;
      case "mean_img": return MEAN_IMAGE;
      default:
        try {
          return value(Float.parseFloat(t));
        } catch (NumberFormatException e) {
          throw new Gradcam3dException(Setting.OCCLUSION_MODE, Setting.OCCLUSION_MODE.label()
              + " must be gaussian, mean_patch, mean_img or a number, not '" + text + "'");
        }
    }
  }

  /** The mean of every value, in double. */
  static double mean(float[] values) {
    double sum = 0;
    for (float v : values) {
      sum += v;
    }
    return sum / values.length;
  }

  /**
   * MONAI's Gaussian occlusion over a window of {@code size} (flat, one channel; every channel uses
   * it): a 1 at index m / 2 per axis smoothed by GaussianSmooth (sigma 0.25 m per axis, the "erf"
   * kernel 0.5 (erf((d + 1/2) / (sigma sqrt 2)) - erf((d - 1/2) / (sigma sqrt 2))) for |d| up to
   * the tail int(max(4 sigma, 0.5) + 0.5), zero padding), negated and rescaled to [0, 1] over the
   * window: 0 at the centre, 1 at the farthest corner. A constant kernel (a 1-voxel window)
   * rescales to all zeros, as MONAI's ScaleIntensity does.
   */
  static float[] gaussianMultiplier(long[] size) {
    int r = size.length;
    double[][] axis = new double[r][];
    for (int a = 0; a < r; a++) {
      int m = (int) size[a];
      double sigma = 0.25 * m;
      int tail = (int) (Math.max(sigma * 4, 0.5) + 0.5);
      double t = 0.70710678 / sigma;
      axis[a] = new double[m];
      for (int i = 0; i < m; i++) {
        int d = i - m / 2;
        axis[a][i] = Math.abs(d) > tail ? 0 : Math.max(0, 0.5 * (erf(t * (d + 0.5)) - erf(t * (d - 0.5))));
      }
    }
    int n = (int) Shapes.numel(size);
    double[] g = new double[n];
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      double v = 1;
      int rest = i;
      for (int a = r - 1; a >= 0; a--) {
        v *= axis[a][rest % (int) size[a]];
        rest /= (int) size[a];
      }
      g[i] = v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    float[] mul = new float[n];
    if (max > min) {
      for (int i = 0; i < n; i++) {
        mul[i] = (float) ((max - g[i]) / (max - min));
      }
    }
    return mul;
  }

  /**
   * The error function to double precision: 2/sqrt(pi) e^(-x^2) sum_n (2 x^2)^n x / (1 3 5 ... (2n+1)),
   * a series of positive terms (no cancellation); |x| >= 6 is +-1 in double.
   */
  static double erf(double x) {
    double ax = Math.abs(x);
    if (ax >= 6) {
      return Math.signum(x);
    }
    double x2 = 2 * ax * ax;
    double term = ax;
    double sum = ax;
    for (int k = 1; term > 1e-17 * sum; k++) {
      term *= x2 / (2 * k + 1);
      sum += term;
    }
    return Math.signum(x) * Math.min(1, 2 / Math.sqrt(Math.PI) * Math.exp(-ax * ax) * sum);
  }
}
