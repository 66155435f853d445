package gradcam3d.tensor;

/**
 * One step of Math.min's and Math.max's folds for a value that is not NaN, in plain comparisons
 * (-0.0 below +0.0, as Math's): the launcher's client compiler keeps these in a volume-sized loop,
 * where Math.min and Math.max cost about twice as much. NaN is the caller's to catch (Math's folds
 * return it).
 */
public final class FloatFolds {
  /** The bits of -0.0f. */
  private static final int NEGATIVE_ZERO = 0x80000000;

  private FloatFolds() {}

  /** Math.min(min, v) for v not NaN. */
  public static float lower(float min, float v) {
    return v < min || (v == min && Float.floatToRawIntBits(v) == NEGATIVE_ZERO) ? v : min;
  }

  /** Math.max(max, v) for v not NaN. */
  public static float higher(float max, float v) {
    return v > max || (v == max && Float.floatToRawIntBits(v) == 0) ? v : max;
  }
}
