package gradcam3d.metrics.measures;

import gradcam3d.metrics.FeatureBaseline;
import gradcam3d.metrics.MetricSample;

/**
 * Copies of the input with groups of features replaced one after another (region perturbation,
 * IROF, infidelity). Each step's fill is taken from the copy perturbed so far, as Quantus does;
 * the fills are found once in order, and any copy is then rebuilt on its own, so only the copies
 * of the batch being scored are in memory.
 */
final class Cumulative {
  private final float[] x;
  private final int[][] groups;
  private final int[] order;
  private final FeatureBaseline.Fill[] fills;

  /**
   * @param order the groups in perturbation order (its first {@code steps} are used)
   * @param stream the random stream of the uniform baseline; step i draws from (seed, stream, offset + i)
   */
  Cumulative(MetricSample s, int[][] groups, int[] order, int steps, FeatureBaseline baseline, int stream,
      int offset) {
    this.x = s.input();
    this.groups = groups;
    this.order = order;
    this.fills = new FeatureBaseline.Fill[steps];
    float[] blurred = baseline == FeatureBaseline.BLUR ? Measures.blurred(s) : null;
    double[] range = Measures.range(s);
    float[] p = x.clone();
    for (int i = 0; i < steps; i++) {
      fills[i] = baseline.fill(p, blurred, range, s.random(stream, offset + i));
      apply(p, i);
    }
  }

  private void apply(float[] p, int i) {
    FeatureBaseline.Fill fill = fills[i];
    for (int f : groups[order[i]]) {
      p[f] = fill.at(f);
    }
  }

  /** The input with the first {@code i + 1} groups replaced. */
  float[] copy(int i) {
    float[] p = x.clone();
    for (int j = 0; j <= i; j++) {
      apply(p, j);
    }
    return p;
  }
}
