package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;
import java.util.List;
import java.util.Locale;

/**
 * What a perturbed feature (one channel of one voxel) is replaced by, Quantus' perturb_baseline
 * over the array being perturbed: {@code black} = its minimum, {@code white} = its maximum,
 * {@code mean} = its mean, {@code zero} = 0, {@code uniform} = one draw from U(min x, max x) per
 * perturbed copy (Quantus draws from U(0, 1), which assumes images in [0, 1]), and {@code blur} =
 * the same feature of the input blurred as the curves' blur baseline ({@link Baseline#BLUR}).
 */
public enum FeatureBaseline {
  BLACK, WHITE, MEAN, ZERO, UNIFORM, BLUR;

  public static final List<String> NAMES = List.of("black", "white", "mean", "zero", "uniform", "blur");

  public static FeatureBaseline byName(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Gradcam3dException("unknown baseline '" + name + "'; use one of " + String.join(", ", NAMES));
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The value of each feature, fixed for one perturbed copy. */
  @FunctionalInterface
  public interface Fill {
    float at(int feature);
  }

  /**
   * The fill for one perturbed copy of {@code current} (the array being perturbed: the input, or
   * for cumulative metrics the copy perturbed so far).
   *
   * @param blurred the blurred input (for {@code blur}; may be null otherwise)
   * @param range min and max of the input (for {@code uniform})
   * @param rng draws of {@code uniform} (one per call)
   */
  public Fill fill(float[] current, float[] blurred, double[] range, SeededRandom rng) {
    switch (this) {
      case ZERO:
        return f -> 0f;
      case BLUR:
        return f -> blurred[f];
      case UNIFORM: {
        float v = (float) rng.uniform(range[0], range[1]);
        return f -> v;
      }
      default:
        break;
    }
    double acc = this == BLACK ? Double.POSITIVE_INFINITY : this == WHITE ? Double.NEGATIVE_INFINITY : 0;
    for (float v : current) {
      acc = this == BLACK ? Math.min(acc, v) : this == WHITE ? Math.max(acc, v) : acc + v;
    }
    float value = (float) (this == MEAN ? acc / current.length : acc);
    return f -> value;
  }
}
