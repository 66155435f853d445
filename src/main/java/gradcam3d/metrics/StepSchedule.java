package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;
import java.util.Locale;

/**
 * Where the n points of a deletion or insertion curve lie, as fractions f_0 = 0 < f_1 < ... <
 * f_{n-1} = 1 of the N ranked voxels; point i removes (or restores) the top k_i = floor(N f_i + 1/2).
 * <ul>
 *   <li>{@code geometric} (default): f_i = f_1 * (1 / f_1)^((i - 1) / (n - 2)) for i = 1 .. n-1,
 *       with the first step f_1 = min(0.01, r / 4), r the target region's share of the output
 *       grid (classifiers: f_1 = 0.01), so a small target is removed over several points rather
 *       than in the first one;</li>
 *   <li>{@code linear}: f_i = i / (n - 1) (before issue 24: 21 steps of 5 %).</li>
 * </ul>
 */
public enum StepSchedule {
  GEOMETRIC, LINEAR;

  /** The largest first step of the geometric scale (1 % of the volume). */
  public static final double MAX_FIRST_STEP = 0.01;

  public static StepSchedule byName(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Gradcam3dException("unknown step scale '" + name + "'; use geometric or linear");
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The geometric scale's first step for a target covering {@code regionShare} of the grid (NaN: a classifier). */
  public static double firstStep(double regionShare) {
    return Double.isNaN(regionShare) ? MAX_FIRST_STEP : Math.min(MAX_FIRST_STEP, regionShare / 4);
  }

  /** The n fractions, from 0 to 1. */
  public double[] fractions(int steps, double regionShare) {
    if (steps < 2) {
      throw new Gradcam3dException("a curve needs at least 2 steps, not " + steps);
    }
    double[] f = new double[steps];
    f[steps - 1] = 1;
    if (this == LINEAR || steps == 2) {
      for (int i = 1; i < steps - 1; i++) {
        f[i] = (double) i / (steps - 1);
      }
      return f;
    }
    double first = firstStep(regionShare);
    if (!(first > 0)) {
      throw new Gradcam3dException("the target region is empty: no first step for the curves");
    }
    for (int i = 1; i < steps - 1; i++) {
      f[i] = first * Math.pow(1 / first, (double) (i - 1) / (steps - 2));
    }
    return f;
  }

  /**
   * k_i = floor(N f_i + 1/2): voxels removed at each point (non-decreasing; k_0 = 0, k_{n-1} = N);
   * on the linear scale in integers, floor((2 N i + n - 1) / (2 (n - 1))).
   */
  public int[] counts(int steps, double regionShare, int voxels) {
    double[] f = fractions(steps, regionShare);
    int[] k = new int[steps];
    for (int i = 0; i < steps; i++) {
      k[i] = this == LINEAR ? (int) ((2L * voxels * i + (steps - 1)) / (2L * (steps - 1)))
          : (int) Math.floor(voxels * f[i] + 0.5);
    }
    k[0] = 0;
    k[steps - 1] = voxels;
    return k;
  }
}
