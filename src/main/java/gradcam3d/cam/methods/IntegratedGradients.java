package gradcam3d.cam.methods;

import gradcam3d.Defaults;
import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.Channels;
import gradcam3d.cam.GradientPath;
import gradcam3d.cam.MethodOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.GaussianBlur;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Integrated gradients (Sundararajan et al. 2017; Captum IntegratedGradients with
 * method="riemann_trapezoid"): (x - x') * integral over a in [0, 1] of dT/dx at x' + a (x - x'),
 * by the trapezoid rule on N equally spaced points a_k = k / (N - 1) (weights 1/(N-1), halved at
 * both ends); map = sum over channels. Baseline x': zeros, or the input blurred by a Gaussian of
 * {@value #BLUR_SIGMA} voxels per spatial axis ({@link GaussianBlur}, cut at {@value #BLUR_TRUNCATE} sigma). Completeness: the attribution
 * sums to T(x) - T(x') up to the quadrature error, which shrinks as N grows.
 */
public final class IntegratedGradients implements CamMethod.InputSpace {
  /** The baseline the path starts from. */
  public enum Baseline {
    ZERO, BLUR
  }

  /** The blurred baseline is the metrics' blur baseline: sigma 4 voxels, kernel cut at 4 sigma. */
  public static final double BLUR_SIGMA = 4.0;
  public static final double BLUR_TRUNCATE = 4.0;

  private final int steps;
  private final Baseline baseline;

  public IntegratedGradients(int steps, Baseline baseline) {
    if (steps < 2) {
      throw new Gradcam3dException(Setting.IG_STEPS, Setting.IG_STEPS.label()
          + " must be at least 2 (the trapezoid rule needs both ends), not " + steps);
    }
    this.steps = steps;
    this.baseline = baseline;
  }

  /** The defaults ({@link Defaults}): 32 steps from a zero baseline. */
  public IntegratedGradients() {
    this(Defaults.IG_STEPS, Baseline.valueOf(Defaults.IG_BASELINE.toUpperCase(java.util.Locale.ROOT)));
  }

  public int steps() {
    return steps;
  }

  public Baseline baseline() {
    return baseline;
  }

  @Override
  public String name() {
    return "integrated-gradients";
  }

  @Override
  public CamMethod withOptions(MethodOptions o) {
    return new IntegratedGradients(o.igSteps(), Baseline.valueOf(o.igBaseline().toUpperCase(Locale.ROOT)));
  }

  @Override
  public Map<String, Object> summaryFields() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("steps", steps);
    m.put("baseline", baseline.name().toLowerCase());
    return m;
  }

  @Override
  public String resumeParameters() {
    return "steps=" + steps + " baseline=" + baseline;
  }

  @Override
  public GradientPath path(FloatTensor x, int sample) {
    FloatTensor start = baseline == Baseline.ZERO ? FloatTensor.zeros(x.shape()) : GaussianBlur.perChannel(x, BLUR_SIGMA, BLUR_TRUNCATE);
    float[] d = x.data();
    float[] b = start.data();
    float[] points = new float[steps * d.length];
    double[] weights = new double[steps];
    for (int k = 0; k < steps; k++) {
      float a = (float) k / (steps - 1);
      for (int i = 0; i < d.length; i++) {
        points[k * d.length + i] = b[i] + a * (d[i] - b[i]);
      }
      weights[k] = (k == 0 || k == steps - 1 ? 0.5 : 1.0) / (steps - 1);
    }
    long[] s = x.shape().clone();
    s[0] = steps;
    return new GradientPath(new FloatTensor(points, s), weights, start);
  }

  @Override
  public FloatTensor attribution(FloatTensor x, GradientPath path, FloatTensor gradient) {
    return Channels.times(Channels.minus(x, path.baseline()), gradient);
  }

  @Override
  public FloatTensor map(FloatTensor attribution) {
    return Channels.sum(attribution);
  }
}
