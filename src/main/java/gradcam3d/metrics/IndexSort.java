package gradcam3d.metrics;

/**
 * Stable argsorts on primitive keys (a merge sort of indices, no boxing): equal keys keep index
 * order, as NumPy's {@code argsort(kind="stable")} does.
 */
final class IndexSort {
  private IndexSort() {}

  /** Compares the keys of two indices. */
  @FunctionalInterface
  interface KeyOrder {
    int compare(int a, int b);
  }

  /** Indices 0..n-1 in the order's ascending order, ties by index. */
  static int[] sort(int n, KeyOrder order) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    int[] tmp = new int[n];
    for (int width = 1; width < n; width *= 2) {
      for (int lo = 0; lo < n - width; lo += 2 * width) {
        int mid = lo + width;
        int hi = Math.min(lo + 2 * width, n);
        if (order.compare(idx[mid - 1], idx[mid]) <= 0) {
          continue; // already in order
        }
        int i = lo;
        int j = mid;
        int k = lo;
        while (i < mid && j < hi) {
          tmp[k++] = order.compare(idx[j], idx[i]) < 0 ? idx[j++] : idx[i++];
        }
        while (i < mid) {
          tmp[k++] = idx[i++];
        }
        while (j < hi) {
          tmp[k++] = idx[j++];
        }
        System.arraycopy(tmp, lo, idx, lo, hi - lo);
      }
    }
    return idx;
  }

  /** Highest first, ties by index (NumPy: argsort(-v, kind="stable")). */
  static int[] descending(double[] v) {
    return sort(v.length, (a, b) -> Double.compare(v[b], v[a]));
  }

  /** Lowest first, ties by index (NumPy: argsort(v, kind="stable")). */
  static int[] ascending(double[] v) {
    return sort(v.length, (a, b) -> Double.compare(v[a], v[b]));
  }

  /** Highest first, ties by index. */
  static int[] descending(float[] v) {
    return sort(v.length, (a, b) -> Float.compare(v[b], v[a]));
  }

  /** Lowest first, ties by index. */
  static int[] ascending(float[] v) {
    return sort(v.length, (a, b) -> Float.compare(v[a], v[b]));
  }

  /** By unsigned 64-bit key, ties by index. */
  static int[] unsigned(long[] keys) {
    return sort(keys.length, (a, b) -> Long.compareUnsigned(keys[a], keys[b]));
  }
}
