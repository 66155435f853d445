package gradcam3d.window;

/**
 * A whole-volume sum of window maps kept as slabs along the first spatial axis, each allocated when
 * a window first adds to it: a target that reaches a few windows of a large scan holds their slabs,
 * not the scan (8 of 256 windows of a 512 x 512 x 256 scan: 64 MB instead of 256 MB while the
 * blend is held). The volume is made once, at the end ({@link #toArray}).
 */
final class SlabSum {
  private final int plane;
  private final float[][] slabs;

  SlabSum(long[] volume) {
    long voxels = 1;
    for (long n : volume) {
      voxels *= n;
    }
    this.slabs = new float[(int) volume[0]][];
    this.plane = (int) (voxels / volume[0]);
  }

  /** Adds {@code len} values of {@code values} from {@code from} at volume offset {@code at} (within one row). */
  void add(int at, float[] values, int from, int len) {
    int z = at / plane;
    float[] slab = slabs[z];
    if (slab == null) {
      slab = new float[plane];
      slabs[z] = slab;
    }
    int o = at - z * plane;
    for (int j = 0; j < len; j++) {
      slab[o + j] += values[from + j];
    }
  }

  /** The whole volume, zero where nothing was added; the slabs are let go (call once). */
  float[] toArray() {
    float[] out = new float[slabs.length * plane];
    for (int z = 0; z < slabs.length; z++) {
      if (slabs[z] != null) {
        System.arraycopy(slabs[z], 0, out, z * plane, plane);
        slabs[z] = null;
      }
    }
    return out;
  }
}
