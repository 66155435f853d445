package gradcam3d.tensor;

/** Order statistics of float arrays without sorting them (percentiles, display windows). */
public final class Quickselect {
  private Quickselect() {}

  /**
   * The k-th smallest value (0-based), as sorted[k] would be; partially reorders the array
   * (Hoare's quickselect with a median-of-three pivot).
   */
  public static float select(float[] a, int k) {
    int lo = 0;
    int hi = a.length - 1;
    while (hi > lo) {
      int mid = (lo + hi) >>> 1;
      float pivot = median(a[lo], a[mid], a[hi]);
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          float t = a[i];
          a[i] = a[j];
          a[j] = t;
          i++;
          j--;
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return a[k];
      }
    }
    return a[k];
  }

  private static float median(float a, float b, float c) {
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  }
}
