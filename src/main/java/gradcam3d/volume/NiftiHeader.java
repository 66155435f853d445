package gradcam3d.volume;

import gradcam3d.Gradcam3dException;
import java.util.Arrays;
import java.util.StringJoiner;

/**
 * The fields of a NIfTI-1 or NIfTI-2 header that describe an image, held at NIfTI-2 width (64-bit
 * dims, doubles). Plain mutable data named after the fields of nifti1.h / nifti2.h, so a template
 * can be copied and adjusted; the reader fills it and the writer serialises it.
 */
public final class NiftiHeader {
  /** dim[0] is the number of dimensions, dim[1..dim[0]] their sizes (i, j, k, t, ...). */
  public long[] dim = {3, 1, 1, 1, 1, 1, 1, 1};
  /** pixdim[0] is qfac (the qform's handedness), pixdim[1..] the voxel sizes. */
  public double[] pixdim = {1, 1, 1, 1, 1, 1, 1, 1};
  public NiftiDatatype datatype = NiftiDatatype.FLOAT32;
  /** Byte offset of the data; the writer chooses it. */
  public long voxOffset;
  /** Stored value * slope + inter is the real value; slope 0 or NaN means none (as nibabel). */
  public double sclSlope = 1;
  public double sclInter;
  public double calMin;
  public double calMax;
  public int dimInfo;
  public long sliceStart;
  public long sliceEnd;
  public int sliceCode;
  public double sliceDuration;
  public double toffset;
  public int intentCode;
  public double intentP1;
  public double intentP2;
  public double intentP3;
  public String intentName = "";
  public String descrip = "";
  public String auxFile = "";
  public int qformCode;
  public int sformCode;
  public double quaternB;
  public double quaternC;
  public double quaternD;
  public double qoffsetX;
  public double qoffsetY;
  public double qoffsetZ;
  /** The first three rows of the sform affine (srow_x, srow_y, srow_z). */
  public double[][] srow = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}};
  public int xyztUnits;

  // nibabel's tolerance for 1 - (b^2 + c^2 + d^2) slightly below zero in float32 headers
  private static final double QUATERNION_THRESHOLD = -3 * Math.ulp(1.0f);

  /** A deep copy, so a template can be adjusted without touching the original. */
  public NiftiHeader copy() {
    NiftiHeader h = new NiftiHeader();
    h.dim = dim.clone();
    h.pixdim = pixdim.clone();
    h.datatype = datatype;
    h.voxOffset = voxOffset;
    h.sclSlope = sclSlope;
    h.sclInter = sclInter;
    h.calMin = calMin;
    h.calMax = calMax;
    h.dimInfo = dimInfo;
    h.sliceStart = sliceStart;
    h.sliceEnd = sliceEnd;
    h.sliceCode = sliceCode;
    h.sliceDuration = sliceDuration;
    h.toffset = toffset;
    h.intentCode = intentCode;
    h.intentP1 = intentP1;
    h.intentP2 = intentP2;
    h.intentP3 = intentP3;
    h.intentName = intentName;
    h.descrip = descrip;
    h.auxFile = auxFile;
    h.qformCode = qformCode;
    h.sformCode = sformCode;
    h.quaternB = quaternB;
    h.quaternC = quaternC;
    h.quaternD = quaternD;
    h.qoffsetX = qoffsetX;
    h.qoffsetY = qoffsetY;
    h.qoffsetZ = qoffsetZ;
    h.srow = new double[][] {srow[0].clone(), srow[1].clone(), srow[2].clone()};
    h.xyztUnits = xyztUnits;
    return h;
  }

  /** A copy with dim[0] = shape.length and dim[1..] = shape (unused dims 1); geometry is kept. */
  public NiftiHeader withShape(long... shape) {
    if (shape.length < 1 || shape.length > 7) {
      throw new IllegalArgumentException(
          "a NIfTI image has 1 to 7 dimensions, not " + shape.length);
    }
    NiftiHeader h = copy();
    Arrays.fill(h.dim, 1);
    h.dim[0] = shape.length;
    System.arraycopy(shape, 0, h.dim, 1, shape.length);
    return h;
  }

  /** dim[1..dim[0]]: the image shape in file order (i fastest). */
  public long[] shape() {
    return Arrays.copyOfRange(dim, 1, (int) dim[0] + 1);
  }

  public long voxelCount() {
    long n = 1;
    for (long d : shape()) {
      n *= d;
    }
    return n;
  }

  /** "40x48x48 float32", for messages. */
  public String describe() {
    StringJoiner j = new StringJoiner("x");
    for (long d : shape()) {
      j.add(Long.toString(d));
    }
    return j + " " + datatype.label();
  }

  /** Whether stored values go through scl_slope / scl_inter (nibabel's rule). */
  public boolean isScaled() {
    return sclSlope != 0 && Double.isFinite(sclSlope);
  }

  /**
   * Voxel (i, j, k) to world (x, y, z) as a 4x4 matrix, chosen as nibabel does: the sform if
   * sform_code > 0, else the qform if qform_code > 0, else diag(pixdim[1..3]).
   */
  public double[][] affine() {
    if (sformCode > 0) {
      return new double[][] {srow[0].clone(), srow[1].clone(), srow[2].clone(), {0, 0, 0, 1}};
    }
    if (qformCode > 0) {
      return qformAffine();
    }
    return new double[][] {
      {pixdim[1], 0, 0, 0}, {0, pixdim[2], 0, 0}, {0, 0, pixdim[3], 0}, {0, 0, 0, 1}
    };
  }

  /** The quaternion rotation times diag(pixdim[1], pixdim[2], qfac * pixdim[3]) plus qoffset. */
  public double[][] qformAffine() {
    double b = quaternB;
    double c = quaternC;
    double d = quaternD;
    double a2 = 1 - (b * b + c * c + d * d);
    if (a2 < QUATERNION_THRESHOLD) {
      throw new Gradcam3dException("the qform quaternion (" + b + ", " + c + ", " + d
          + ") has a norm above 1.");
    }
    double a = Math.sqrt(Math.max(a2, 0));
    for (int axis = 1; axis <= 3; axis++) {
      if (pixdim[axis] < 0) {
        throw new Gradcam3dException("pixdim[" + axis + "] is " + pixdim[axis]
            + ", but the qform needs positive voxel sizes.");
      }
    }
    double qfac = pixdim[0] < 0 ? -1 : 1;
    double[][] rotation = {
      {a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)},
      {2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)},
      {2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b}
    };
    double[] scale = {pixdim[1], pixdim[2], qfac * pixdim[3]};
    double[] offset = {qoffsetX, qoffsetY, qoffsetZ};
    double[][] m = new double[4][4];
    for (int r = 0; r < 3; r++) {
      for (int col = 0; col < 3; col++) {
        m[r][col] = rotation[r][col] * scale[col];
      }
      m[r][3] = offset[r];
    }
    m[3][3] = 1;
    return m;
  }

  /**
   * A copy whose geometry is {@code affine} (voxel i, j, k to RAS mm, 3 or 4 rows): the sform
   * (code kept, else 1, scanner), pixdim the column lengths, and the qform as nifti1_io's
   * {@code nifti_mat44_to_quatern} makes it (the rotation nearest to the axes, by polar
   * decomposition, with qfac), with the qform code kept, else the sform's. Other fields are kept.
   */
  public NiftiHeader withAffine(double[][] affine) {
    NiftiHeader h = copy();
    int code = sformCode > 0 ? sformCode : qformCode > 0 ? qformCode : 1;
    h.sformCode = code;
    h.qformCode = qformCode > 0 ? qformCode : code;
    for (int c = 0; c < 3; c++) {
      double size = Math.sqrt(affine[0][c] * affine[0][c] + affine[1][c] * affine[1][c] + affine[2][c] * affine[2][c]);
      h.pixdim[c + 1] = size;
      for (int row = 0; row < 3; row++) {
        h.srow[row][c] = affine[row][c];
      }
    }
    // the qform holds a rotation: the one nearest to the axes (they may be a little off orthogonal)
    double[][] r = Orientation.nearestRotation(affine, 3);
    for (int row = 0; row < 3; row++) {
      h.srow[row][3] = affine[row][3];
    }
    h.qoffsetX = affine[0][3];
    h.qoffsetY = affine[1][3];
    h.qoffsetZ = affine[2][3];
    // a left-handed grid: the third column negated, qfac -1 (NIfTI's rule)
    double qfac = Orientation.det(r) < 0 ? -1 : 1;
    for (int row = 0; row < 3; row++) {
      r[row][2] *= qfac;
    }
    h.pixdim[0] = qfac;
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
    return h;
  }
}
