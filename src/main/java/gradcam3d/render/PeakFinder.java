package gradcam3d.render;

import gradcam3d.Gradcam3dException;

/**
 * Chooses the slices a figure shows: by default the three planes through the voxel where the CAM
 * peaks. When several voxels share the maximum (a plateau, common after upsampling), the one
 * nearest (in mm) to the CAM's centre of mass wins, then the first in (z, y, x) order; an all-zero
 * CAM gives the centre of the target region (the centre of the volume without one). Each of z, y, x can be overridden on its own.
 */
final class PeakFinder {
  private PeakFinder() {}

  static SlicePoint choose(Voxels v, RenderOptions o) {
    SlicePoint peak = peak(v);
    return new SlicePoint(
        pick(o.z(), peak.z(), v.depth, "axial", "z"),
        pick(o.y(), peak.y(), v.height, "coronal", "y"),
        pick(o.x(), peak.x(), v.width, "sagittal", "x"));
  }

  static SlicePoint peak(Voxels v) {
    SlicePoint lone = lonePeak(v);
    if (lone != null) {
      return lone;
    }
    float[] cam = v.cam;
    float max = Float.NEGATIVE_INFINITY;
    double mass = 0;
    double mz = 0;
    double my = 0;
    double mx = 0;
    // the voxels at the maximum so far, in scan order: unless the peak is a large plateau,
    // nearestAt then looks at these few instead of passing over the volume again
    int[] atMax = new int[AT_MAX];
    int onPeak = 0;
    for (int z = 0, i = 0, depth = v.depth, height = v.height, width = v.width; z < depth; z++) {
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++, i++) {
          float c = cam[i];
          if (c >= max) {
            if (c > max) {
              max = c;
              onPeak = 0;
            }
            if (onPeak < AT_MAX) {
              atMax[onPeak] = i;
            }
            onPeak++;
          }
          if (c > 0) { // NaN fails this test too
            mass += c;
            mz += c * z;
            my += c * y;
            mx += c * x;
          }
        }
      }
    }
    if (!(mass > 0) && v.mask != null) {
      // a map that says nothing: show the target region instead of a corner of the volume
      SlicePoint region = regionCentre(v);
      if (region != null) {
        return region;
      }
    }
    double[] centre = mass > 0
        ? new double[] {mz / mass, my / mass, mx / mass}
        : new double[] {(v.depth - 1) / 2.0, (v.height - 1) / 2.0, (v.width - 1) / 2.0};
    return onPeak <= AT_MAX && max != Float.NEGATIVE_INFINITY ? nearestAmong(v, atMax, onPeak, centre)
        : nearestAt(v, max, centre);
  }

  /**
   * The voxel of the maximum when it is the only voxel at it and a value above 0 (and far from the
   * largest float), else null.
   * Then the map's centre of mass, which only breaks ties at the maximum (and tells an all-zero
   * map), cannot change the choice: one pass of comparisons decides, without the four sums per
   * voxel of {@link #peak}'s pass (a large scan's map: millions of voxels, one peak).
   */
  private static SlicePoint lonePeak(Voxels v) {
    float[] cam = v.cam;
    float max = Float.NEGATIVE_INFINITY;
    int at = -1;
    int onPeak = 0;
    // as peak's pass: NaN never reaches the maximum
    for (int i = 0, n = v.depth * v.height * v.width; i < n; i++) {
      float c = cam[i];
      if (c >= max) {
        if (c > max) {
          max = c;
          at = i;
          onPeak = 0;
        }
        onPeak++;
      }
    }
    // the centre of mass is finite (and so moves nothing) where no float product of a value and an
    // index can overflow, as it can for values near the largest float
    int longest = Math.max(v.depth, Math.max(v.height, v.width));
    if (onPeak != 1 || !(max > 0) || (double) max * longest >= Float.MAX_VALUE / 2) {
      return null;
    }
    int plane = v.height * v.width;
    return new SlicePoint(at / plane, (at % plane) / v.width, at % v.width);
  }

  /** Voxels at the maximum remembered in the first pass at most; beyond, a second pass finds them. */
  private static final int AT_MAX = 256;

  /** {@link #nearestAt} among the voxels at the maximum, given by index in scan order: the same voxel. */
  private static SlicePoint nearestAmong(Voxels v, int[] atMax, int count, double[] centre) {
    SlicePoint best = null;
    double bestD = Double.POSITIVE_INFINITY;
    int plane = v.height * v.width;
    for (int n = 0; n < count; n++) {
      int i = atMax[n];
      int z = i / plane;
      int y = (i % plane) / v.width;
      int x = i % v.width;
      double d = squaredMm(v, z, y, x, centre);
      if (d < bestD) {
        bestD = d;
        best = new SlicePoint(z, y, x);
      }
    }
    return best;
  }

  /** The region's voxel nearest (in mm) to its centre of mass, or null for an empty region. */
  static SlicePoint regionCentre(Voxels v) {
    double n = 0;
    double sz = 0;
    double sy = 0;
    double sx = 0;
    for (int z = 0, i = 0; z < v.depth; z++) {
      for (int y = 0; y < v.height; y++) {
        for (int x = 0; x < v.width; x++, i++) {
          if (v.inside(i)) {
            n++;
            sz += z;
            sy += y;
            sx += x;
          }
        }
      }
    }
    if (n == 0) {
      return null;
    }
    SlicePoint best = null;
    double bestD = Double.POSITIVE_INFINITY;
    double[] centre = {sz / n, sy / n, sx / n};
    for (int z = 0, i = 0; z < v.depth; z++) {
      for (int y = 0; y < v.height; y++) {
        for (int x = 0; x < v.width; x++, i++) {
          if (v.inside(i)) {
            double d = squaredMm(v, z, y, x, centre);
            if (d < bestD) {
              bestD = d;
              best = new SlicePoint(z, y, x);
            }
          }
        }
      }
    }
    return best;
  }

  /** The squared distance in mm of voxel (z, y, x) from {@code centre} (voxel coordinates). */
  private static double squaredMm(Voxels v, int z, int y, int x, double[] centre) {
    double dz = (z - centre[0]) * v.spacing[0];
    double dy = (y - centre[1]) * v.spacing[1];
    double dx = (x - centre[2]) * v.spacing[2];
    return dz * dz + dy * dy + dx * dx;
  }

  /** Among voxels whose CAM equals max, the one closest to centre (first on exact ties). */
  private static SlicePoint nearestAt(Voxels v, float max, double[] centre) {
    SlicePoint best = null;
    double bestD = Double.POSITIVE_INFINITY;
    // locals, not fields, in the loop: the launcher's client compiler reloads fields each time
    float[] cam = v.cam;
    // an all-NaN CAM leaves max at -inf: then every voxel competes
    boolean every = max == Float.NEGATIVE_INFINITY;
    for (int z = 0, i = 0, depth = v.depth, height = v.height, width = v.width; z < depth; z++) {
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++, i++) {
          if (cam[i] == max || every) {
            double d = squaredMm(v, z, y, x, centre);
            if (d < bestD) {
              bestD = d;
              best = new SlicePoint(z, y, x);
            }
          }
        }
      }
    }
    return best;
  }

  private static int pick(Integer override, int peak, int count, String plane, String axis) {
    if (override == null) {
      return peak;
    }
    if (override < 0 || override >= count) {
      throw new Gradcam3dException("the " + plane + " slice " + axis + "=" + override
          + " is outside the volume; " + axis + " must be in 0.." + (count - 1) + ".");
    }
    return override;
  }
}
