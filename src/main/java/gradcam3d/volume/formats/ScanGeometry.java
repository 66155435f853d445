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
    NiftiHeader h = new NiftiHeader().withShape(niftiShape);
    h.xyztUnits = 2 + 8; // mm, s
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 3; c++) {
        h.srow[r][c] = axes[c][r];
      }
      h.srow[r][3] = rasOrigin[r];
    }
    h.sformCode = 1;
    double[] spacing = new double[3];
    double[][] rotation = new double[3][3];
    for (int c = 0; c < 3; c++) {
      spacing[c] = norm(axes[c]);
      for (int r = 0; r < 3; r++) {
        rotation[r][c] = axes[c][r] / spacing[c];
      }
      h.pixdim[c + 1] = spacing[c];
    }
    setQuaternion(h, rotation);
    h.qoffsetX = rasOrigin[0];
    h.qoffsetY = rasOrigin[1];
    h.qoffsetZ = rasOrigin[2];
    h.qformCode = 1;
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

  /**
   * The qform quaternion of a rotation (columns orthonormal within the tolerance), with qfac -1 in
   * pixdim[0] for a left-handed grid, as nifti_mat44_to_quatern computes it.
   */
  private static void setQuaternion(NiftiHeader h, double[][] rotation) {
    double[][] r = orthonormalised(rotation);
    double det = r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1]) - r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0])
        + r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]);
    h.pixdim[0] = 1;
    if (det < 0) {
      h.pixdim[0] = -1;
      for (int row = 0; row < 3; row++) {
        r[row][2] = -r[row][2];
      }
    }
    double a = r[0][0] + r[1][1] + r[2][2] + 1;
    double b;
    double c;
    double d;
    if (a > 0.5) {
      a = 0.5 * Math.sqrt(a);
      b = 0.25 * (r[2][1] - r[1][2]) / a;
      c = 0.25 * (r[0][2] - r[2][0]) / a;
      d = 0.25 * (r[1][0] - r[0][1]) / a;
    } else {
      double xd = 1 + r[0][0] - (r[1][1] + r[2][2]);
      double yd = 1 + r[1][1] - (r[0][0] + r[2][2]);
      double zd = 1 + r[2][2] - (r[0][0] + r[1][1]);
      if (xd > 1) {
        b = 0.5 * Math.sqrt(xd);
        c = 0.25 * (r[0][1] + r[1][0]) / b;
        d = 0.25 * (r[0][2] + r[2][0]) / b;
        a = 0.25 * (r[2][1] - r[1][2]) / b;
      } else if (yd > 1) {
        c = 0.5 * Math.sqrt(yd);
        b = 0.25 * (r[0][1] + r[1][0]) / c;
        d = 0.25 * (r[1][2] + r[2][1]) / c;
        a = 0.25 * (r[0][2] - r[2][0]) / c;
      } else {
        d = 0.5 * Math.sqrt(zd);
        b = 0.25 * (r[0][2] + r[2][0]) / d;
        c = 0.25 * (r[1][2] + r[2][1]) / d;
        a = 0.25 * (r[1][0] - r[0][1]) / d;
      }
      if (a < 0) {
        b = -b;
        c = -c;
        d = -d;
      }
    }
    h.quaternB = b;
    h.quaternC = c;
    h.quaternD = d;
  }

  /** Gram-Schmidt on the columns: the nearest rotation for the near-orthonormal axes accepted here. */
  private static double[][] orthonormalised(double[][] m) {
    double[][] cols = new double[3][];
    for (int c = 0; c < 3; c++) {
      double[] v = {m[0][c], m[1][c], m[2][c]};
      for (int p = 0; p < c; p++) {
        double k = dot(v, cols[p]);
        for (int i = 0; i < 3; i++) {
          v[i] -= k * cols[p][i];
        }
      }
      double n = norm(v);
      cols[c] = new double[] {v[0] / n, v[1] / n, v[2] / n};
    }
    double[][] r = new double[3][3];
    for (int row = 0; row < 3; row++) {
      for (int c = 0; c < 3; c++) {
        r[row][c] = cols[c][row];
      }
    }
    return r;
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
