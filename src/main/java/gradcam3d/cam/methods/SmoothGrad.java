package gradcam3d.cam.methods;

import gradcam3d.Defaults;
import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.Channels;
import gradcam3d.cam.GradientPath;
import gradcam3d.cam.MethodOptions;
import gradcam3d.tensor.FloatTensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * SmoothGrad (Smilkov et al. 2017; Captum NoiseTunnel "smoothgrad" over the plain gradient): the
 * mean of dT/dx over N noisy copies x + sigma * z, sigma = noise * (max - min) of the sample, z
 * standard normal; map = max over channels of |mean gradient|. The copies run through the one
 * compiled program as batches.
 */
public final class SmoothGrad implements CamMethod.InputSpace {
  /** Standard normal draws for copy k of a sample (seeded: the same run gives the same noise). */
  @FunctionalInterface
  public interface Noise {
    float[] unitNormal(int sample, int copy, int size);

    /** java.util.Random seeded from (seed, sample, copy). */
    static Noise seeded(long seed) {
      return (sample, copy, size) -> {
        Random r = new Random(seed * 1_000_003L + sample * 65_537L + copy);
        float[] z = new float[size];
        for (int i = 0; i < size; i++) {
          z[i] = (float) r.nextGaussian();
        }
        return z;
      };
    }
  }

  private final int samples;
  private final double noise;
  private final Noise draws;
  /** The seed of {@link Noise#seeded} noise, or null for other draws. */
  private final Long seed;

  public SmoothGrad(int samples, double noise, Noise draws) {
    this(samples, noise, draws, null);
  }

  /** Noise drawn by {@link Noise#seeded}. */
  public SmoothGrad(int samples, double noise, long seed) {
    this(samples, noise, Noise.seeded(seed), seed);
  }

  private SmoothGrad(int samples, double noise, Noise draws, Long seed) {
    if (samples < 1) {
      throw new Gradcam3dException(Setting.SAMPLES, Setting.SAMPLES.label() + " must be at least 1, not " + samples);
    }
    if (!(noise >= 0) || Double.isInfinite(noise)) {
      throw new Gradcam3dException(Setting.NOISE, Setting.NOISE.label() + " must be a finite number >= 0, not "
          + noise);
    }
    this.samples = samples;
    this.noise = noise;
    this.draws = draws;
    this.seed = seed;
  }

  /** The defaults ({@link Defaults}): 25 copies, noise 0.15 of the intensity range, seed 0. */
  public SmoothGrad() {
    this(Defaults.SMOOTHGRAD_SAMPLES, Defaults.SMOOTHGRAD_NOISE, Defaults.SEED);
  }

  public int samples() {
    return samples;
  }

  public double noise() {
    return noise;
  }

  @Override
  public String name() {
    return "smoothgrad";
  }

  @Override
  public CamMethod withOptions(MethodOptions o) {
    return new SmoothGrad(o.samples(), o.noise(), o.seed());
  }

  @Override
  public Map<String, Object> summaryFields() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("samples", samples);
    m.put("noise", noise);
    return m;
  }

  @Override
  public String resumeParameters() {
    return "samples=" + samples + " noise=" + noise + " seed=" + (seed == null ? "custom" : seed);
  }

  @Override
  public GradientPath path(FloatTensor x, int sample) {
    float[] d = x.data();
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    for (float v : d) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    float sigma = (float) (noise * (hi - lo));
    float[] points = new float[samples * d.length];
    double[] weights = new double[samples];
    for (int k = 0; k < samples; k++) {
      float[] z = draws.unitNormal(sample, k, d.length);
      for (int i = 0; i < d.length; i++) {
        points[k * d.length + i] = d[i] + sigma * z[i];
      }
      weights[k] = 1.0 / samples;
    }
    long[] s = x.shape().clone();
    s[0] = samples;
    return new GradientPath(new FloatTensor(points, s), weights, null);
  }

  @Override
  public FloatTensor attribution(FloatTensor x, GradientPath path, FloatTensor gradient) {
    return gradient;
  }

  @Override
  public FloatTensor map(FloatTensor attribution) {
    return Channels.maxAbs(attribution);
  }
}
