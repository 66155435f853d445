package gradcam3d.metrics;

/** How spread a map in [0, 1] is: its mean value and the fraction of voxels above 0.5. */
public record Complexity(double mean, double fractionAboveHalf) {
  public static Complexity of(float[] map) {
    double sum = 0;
    long above = 0;
    for (float v : map) {
      sum += v;
      above += v > 0.5f ? 1 : 0;
    }
    return new Complexity(sum / map.length, (double) above / map.length);
  }
}
