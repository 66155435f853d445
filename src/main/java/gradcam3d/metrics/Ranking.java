package gradcam3d.metrics;

import java.util.Arrays;

/**
 * Orders of voxels for the deletion and insertion curves: by a map (highest first, ties by flat
 * index) or at random. The random order is reproducible in any language: voxel i gets the key
 * splitmix64(seed * 2^32 + i) and voxels are sorted by key as an unsigned number (ties by index).
 */
public final class Ranking {
  private Ranking() {}

  /** Flat voxel indices, highest map value first; equal values in increasing index order. */
  public static int[] byMap(float[] map) {
    // one primitive sort of (descending value, index) packed in a long: the order of
    // Float.compare (-0 below +0, NaN on top) without boxing every index
    long[] keys = new long[map.length];
    for (int i = 0; i < map.length; i++) {
      int bits = Float.floatToIntBits(map[i]);
      int ascending = bits ^ ((bits >> 31) & 0x7fffffff);
      keys[i] = ((long) ~ascending << 32) | i;
    }
    Arrays.sort(keys);
    int[] order = new int[map.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = (int) keys[i];
    }
    return order;
  }

  /** A random order of n voxels, fixed by the seed. */
  public static int[] random(int n, long seed) {
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      keys[i] = splitmix64((seed << 32) + i);
    }
    return IndexSort.unsigned(keys);
  }

  /** The finaliser of SplitMix64 (Steele et al. 2014) applied to x + golden gamma. */
  static long splitmix64(long x) {
    long z = x + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
