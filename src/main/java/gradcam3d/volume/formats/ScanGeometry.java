package gradcam3d.volume.formats;

import gradcam3d.Gradcam3dException;
import gradcam3d.volume.NiftiHeader;
import java.util.Locale;

/**
 * A scan's voxel grid as the NIfTI header the rest of gradcam3d works with: voxel (i, j, k) to RAS
 * millimetres as the sform (sform_code 1, scanner), a matching qform (a rotation, quaternion and
 * qfac) and pixdim = the voxel sizes. NRRD, MetaImage and DICOM state their geometry in LPS
 * (ITK's and DICOM's patient space): x and y point the other way than in NIfTI's RAS.
 */
public final class ScanGeometry {
  /** Largest |cos| between two axes taken as orthogonal (headers print 6 to 17 digits). */
  static final double ORTHOGONALITY_TOLERANCE = 1e-3;
  private static final double MIN_SPACING = 1e-9;

  private ScanGeometry() {}

  /** LPS to RAS (or back): x and y negated. */
  public static double[] flipXy(double[] v) {
    return new double[] {-v[0], -v[1], v[2]};
  }

  /**
   * The NIfTI header of a grid whose voxel steps along i, j (and k) are {@code rasAxes} (2 or 3
   * world vectors, in mm) and whose voxel (0, 0, 0) centre is at {@code rasOrigin}. With two axes
   * (a single slice) the third is the unit normal. {@code niftiShape} is the data shape in NIfTI
   * order (i, j[, k][, channels]); its length sets dim[0]. Refuses NaN, infinite, zero-length,
   * parallel and non-orthogonal axes as a one-line error about {@code source}.
   */
  public static NiftiHeader header(long[] niftiShape, double[][] rasAxes, double[] rasOrigin, String source) {
    double[][] axes = new double[3][];
    for (int a = 0; a < rasAxes.length; a++) {
      axes[a] = rasAxes[a].clone();
    }
    requireFinite(source, "origin", rasOrigin);
    for (int a = 0; a < rasAxes.length; a++) {
      requireFinite(source, "axis " + a + " direction", axes[a]);
      if (norm(axes[a]) < MIN_SPACING) {
        throw new Gradcam3dException(source + ": the direction of axis " + a + " " + text(axes[a])
            + " has no length; the voxel grid is degenerate.");
      }
    }
    if (rasAxes.length == 2) {
      double[] n = cross(axes[0], axes[1]);
      double length = norm(n);
      if (length < MIN_SPACING) {
        throw new Gradcam3dException(source + ": the two axis directions are parallel; the voxel grid is degenerate.");
      }
      axes[2] = new double[] {n[0] / length, n[1] / length, n[2] / length};
    }
    for (int a = 0; a < 3; a++) {
      for (int b = a + 1; b < 3; b++) {
        double cos = dot(axes[a], axes[b]) / (norm(axes[a]) * norm(axes[b]));
        if (Math.abs(cos) > ORTHOGONALITY_TOLERANCE) {
          throw new Gradcam3dException(source + ": the directions of axes " + a + " " + text(axes[a]) + " and " + b
              + " " + text(axes[b]) + " are not orthogonal (" + String.format(Locale.ROOT, "%.1f",
              Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, cos))))) + " degrees apart); sheared voxel grids"
              + " are not supported.");
        }
      }
    }
    double[][] affine = new double[4][4];
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 3; c++) {
        affine[r][c] = axes[c][r];
      }
      affine[r][3] = rasOrigin[r];
    }
    affine[3][3] = 1;
    NiftiHeader h = new NiftiHeader().withShape(niftiShape).withAffine(affine);
    h.xyztUnits = 2 + 8; // mm, s
    return h;
  }

  /** The voxel step of axis {@code a} (0..2) in LPS mm, from the header's affine. */
  public static double[] lpsAxis(NiftiHeader h, int a) {
    double[][] m = h.affine();
    return flipXy(new double[] {m[0][a], m[1][a], m[2][a]});
  }

  /** Voxel (0, 0, 0)'s centre in LPS mm, from the header's affine. */
  public static double[] lpsOrigin(NiftiHeader h) {
    double[][] m = h.affine();
    return flipXy(new double[] {m[0][3], m[1][3], m[2][3]});
  }

  private static void requireFinite(String source, String what, double[] v) {
    for (double x : v) {
      if (!Double.isFinite(x)) {
        throw new Gradcam3dException(source + ": the " + what + " " + text(v) + " holds NaN or infinite values.");
      }
    }
  }

  static double dot(double[] a, double[] b) {
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  }

  static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
  }

  static double[] cross(double[] a, double[] b) {
    return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
  }

  static String text(double[] v) {
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < v.length; i++) {
      b.append(i > 0 ? "," : "").append(v[i]);
    }
    return b.append(')').toString();
  }
}
