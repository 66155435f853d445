package gradcam3d.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small anisotropic, oblique case whose right answers are known: two Gaussian maps with peaks
 * at known voxels, a spherical target around the first peak and a box label.
 */
final class SyntheticCase {
  static final int[] DIMS = {48, 40, 24};
  static final double[] SPACING = {1.0, 1.25, 2.5};
  /** Columns scaled by SPACING, a small rotation about x and an offset: readouts are not the indices. */
  static final double[][] AFFINE = {
    {-1.0, 0, 0, 23.5},
    {0, 1.25 * Math.cos(0.2), -2.5 * Math.sin(0.2), -31.0},
    {0, 1.25 * Math.sin(0.2), 2.5 * Math.cos(0.2), -12.25},
    {0, 0, 0, 1}
  };
  static final int[] PEAK_A = {30, 12, 16};
  static final int[] PEAK_B = {10, 28, 6};

  private SyntheticCase() {}

  static ReportGrid grid() {
    return new ReportGrid(DIMS, SPACING, AFFINE);
  }

  static int index(int i, int j, int k) {
    return i + DIMS[0] * (j + DIMS[1] * k);
  }

  /** A value per voxel (i, j, k). */
  interface VoxelFunction {
    double at(int i, int j, int k);
  }

  /** The function sampled on the grid, in NIfTI voxel order. */
  static float[] fill(VoxelFunction f) {
    float[] v = new float[grid().voxels()];
    for (int k = 0; k < DIMS[2]; k++) {
      for (int j = 0; j < DIMS[1]; j++) {
        for (int i = 0; i < DIMS[0]; i++) {
          v[index(i, j, k)] = (float) f.at(i, j, k);
        }
      }
    }
    return v;
  }

  /** A smooth ramp plus a bright ellipsoid: structure in every plane. */
  static float[] image() {
    return fill((i, j, k) -> {
      double r = sq((i - 24) / 18.0) + sq((j - 20) / 15.0) + sq((k - 12) / 9.0);
      return -200 + 3 * i + 2 * j + (r < 1 ? 400 + 5 * k : 0);
    });
  }

  /** exp(-d^2 / (2 sigma^2)) around a peak, distances in voxels. */
  static float[] gaussian(int[] peak, double sigma) {
    return fill((i, j, k) -> Math.exp(-(sq(i - peak[0]) + sq(j - peak[1]) + sq(k - peak[2])) / (2 * sigma * sigma)));
  }

  static float[] sphere(int[] centre, double radius) {
    return fill((i, j, k) -> sq(i - centre[0]) + sq(j - centre[1]) + sq(k - centre[2]) <= radius * radius ? 1 : 0);
  }

  static float[] box(int[] lo, int[] hi) {
    return fill((i, j, k) -> i >= lo[0] && i <= hi[0] && j >= lo[1] && j <= hi[1] && k >= lo[2] && k <= hi[2] ? 1 : 0);
  }

  static CaseReport report() {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("model", "synthetic.onnx");
    summary.put("method", "gradcam");
    summary.put("layers", List.of(Map.of("spec", "up2"), Map.of("spec", "down3")));
    summary.put("targets", List.of(Map.of("target", "1", "region_voxels", 905)));
    summary.put("label", Map.of("cam_mass_inside_label", 0.25));
    summary.put("timings", Map.of("total_ms", 1234.5));
    return new CaseReport("synthetic <case> & co", grid(), image(),
        List.of(new CaseReport.NamedMap("up2 · gradcam", gaussian(PEAK_A, 4)),
            new CaseReport.NamedMap("down3 · gradcam", gaussian(PEAK_B, 5))),
        sphere(PEAK_A, 6), box(new int[] {26, 8, 12}, new int[] {40, 20, 20}), summary);
  }

  private static double sq(double x) {
    return x * x;
  }
}
