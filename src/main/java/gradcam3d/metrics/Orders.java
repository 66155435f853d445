package gradcam3d.metrics;

/** Stable orders of attribution values for the metric classes (ties by index, as NumPy's stable argsort). */
public final class Orders {
  private Orders() {}

  public static int[] descending(float[] v) {
    return IndexSort.descending(v);
  }

  public static int[] ascending(float[] v) {
    return IndexSort.ascending(v);
  }

  public static int[] descending(double[] v) {
    return IndexSort.descending(v);
  }

  public static int[] ascending(double[] v) {
    return IndexSort.ascending(v);
  }
}
