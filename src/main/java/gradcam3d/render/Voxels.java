package gradcam3d.render;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import java.util.Arrays;

/**
 * The inputs of a figure checked and viewed as (Z, Y, X) arrays: a 2D (Y, X) image becomes one
 * axial slice with Z = 1. Leading axes of size 1 (batch, channel) are dropped.
 */
final class Voxels {
  final int depth;
  final int height;
  final int width;
  final float[] image;
  final float[] cam;
  /** Target-region mask (inside where > 0.5), or null. */
  final float[] mask;
  /** Voxel size along (Z, Y, X) in mm. */
  final double[] spacing;
  /** NIfTI voxel (i, j, k) to world mm, or null when the input has no geometry (.npy). */
  final double[][] affine;
  /** How the arrays lie in the patient. */
  final Display display;
  /**
   * Full-resolution index of each shown slice along (Z, Y, X), for index labels: identity unless
   * the arrays are blocks of a larger grid ({@link #shownAs}).
   */
  private final java.util.function.IntBinaryOperator fullIndex;

  private Voxels(long[] zyx, float[] image, float[] cam, float[] mask, double[] spacing,
      double[][] affine, Display display) {
    this(zyx, image, cam, mask, spacing, affine, display, (axis, i) -> i);
  }

  private Voxels(long[] zyx, float[] image, float[] cam, float[] mask, double[] spacing,
      double[][] affine, Display display, java.util.function.IntBinaryOperator fullIndex) {
    this.fullIndex = fullIndex;
    this.depth = (int) zyx[0];
    this.height = (int) zyx[1];
    this.width = (int) zyx[2];
    this.image = image;
    this.cam = cam;
    this.mask = mask;
    this.spacing = spacing;
    this.affine = affine;
    this.display = display;
  }

  static Voxels of(FloatTensor image, FloatTensor cam, FloatTensor contour, double[] spacing) {
    return of(image, cam, contour, spacing, null, Display.arrayOrder());
  }

  /** As above, with the NIfTI affine, in array order. */
  static Voxels of(FloatTensor image, FloatTensor cam, FloatTensor contour, double[] spacing, double[][] affine) {
    return of(image, cam, contour, spacing, affine, Display.arrayOrder());
  }

  /**
   * As above, with the NIfTI affine of the figure's grid (see {@link Figures}) for slice
   * positions in mm, and how the arrays lie in the patient.
   */
  static Voxels of(FloatTensor image, FloatTensor cam, FloatTensor contour, double[] spacing,
      double[][] affine, Display display) {
    if (image == null || cam == null) {
      throw new Gradcam3dException("both the image and the CAM are needed to draw a figure.");
    }
    long[] zyx = zyx(image.shape(), "image");
    requireShape(cam, zyx, "CAM");
    if (contour != null) {
      requireShape(contour, zyx, "contour mask");
    }
    if (display.anatomical() && display.worldAxis().length != (zyx[0] == 1 ? 2 : 3)) {
      throw new Gradcam3dException("the display orientation has " + display.worldAxis().length
          + " axes but the image " + (zyx[0] == 1 ? 2 : 3));
    }
    return new Voxels(zyx, image.data(), cam.data(), contour == null ? null : contour.data(),
        spacing(spacing, zyx[0] == 1), affine(affine), display);
  }

  /**
   * A grid of this shape and spacing with no arrays: what the contour decision reads of a figure
   * besides its region ({@link ContourDecision#decide(Voxels, boolean[], ContourRule)}).
   */
  static Voxels gridOnly(long[] shape, double[] spacing) {
    long[] zyx = zyx(shape, "contour mask");
    return new Voxels(zyx, null, null, null, spacing(spacing, zyx[0] == 1), null, Display.arrayOrder());
  }

  /**
   * The same arrays as blocks of a larger grid: index labels give the full-resolution index of a
   * block's centre, {@code fullIndex.applyAsInt(axis, shown)} (axis 0 = Z, 1 = Y, 2 = X).
   */
  Voxels shownAs(java.util.function.IntBinaryOperator fullIndex) {
    return new Voxels(new long[] {depth, height, width}, image, cam, mask, spacing, affine, display, fullIndex);
  }

  /** The full-resolution index of a shown slice along axis (0 = Z, 1 = Y, 2 = X). */
  int fullIndex(int axis, int shown) {
    return fullIndex.applyAsInt(axis, shown);
  }

  boolean is2d() {
    return depth == 1;
  }

  int index(int z, int y, int x) {
    return (z * height + y) * width + x;
  }

  boolean inside(int i) {
    return mask[i] > 0.5f;
  }

  /**
   * World position in mm of slice n along axis (0 = Z, 1 = Y, 2 = X), or NaN without geometry:
   * the coordinate of the world axis that this voxel axis runs most along, at the slice's centre.
   * The figure's (Z, Y, X) axes are the NIfTI axes (k, j, i).
   */
  double positionMm(int axis, int n) {
    if (affine == null) {
      return Double.NaN;
    }
    int[] size = {depth, height, width};
    double[] ijk = new double[3];
    for (int a = 0; a < 3; a++) {
      ijk[2 - a] = a == axis ? n : (size[a] - 1) / 2.0;
    }
    int column = 2 - axis;
    int row = 0;
    for (int r = 1; r < 3; r++) {
      if (Math.abs(affine[r][column]) > Math.abs(affine[row][column])) {
        row = r;
      }
    }
    if (display.anatomical() && !is2d()) {
      row = display.worldAxis()[axis]; // the axis the panels are named after, also when oblique
    }
    return affine[row][0] * ijk[0] + affine[row][1] * ijk[1] + affine[row][2] * ijk[2]
        + affine[row][3];
  }

  private static long[] zyx(long[] shape, String what) {
    int lead = 0;
    while (shape.length - lead > 3 && shape[lead] == 1) {
      lead++;
    }
    long[] s = Arrays.copyOfRange(shape, lead, shape.length);
    if (s.length == 2) {
      s = new long[] {1, s[0], s[1]};
    }
    if (s.length != 3 || Arrays.stream(s).anyMatch(d -> d < 1)) {
      throw new Gradcam3dException("the " + what + " has shape " + Arrays.toString(shape)
          + "; expected a volume (Z, Y, X) or an image (Y, X).");
    }
    return s;
  }

  private static void requireShape(FloatTensor t, long[] zyx, String what) {
    if (!Arrays.equals(zyx(t.shape(), what), zyx)) {
      throw new Gradcam3dException("the " + what + " has shape " + Arrays.toString(t.shape())
          + " but the image is " + Arrays.toString(zyx) + " (Z, Y, X); they must match.");
    }
  }

  private static double[][] affine(double[][] a) {
    if (a == null) {
      return null;
    }
    if (a.length < 3 || Arrays.stream(a).limit(3).anyMatch(r -> r == null || r.length != 4)) {
      throw new Gradcam3dException("the affine must have 3 or 4 rows of 4 numbers.");
    }
    return new double[][] {a[0].clone(), a[1].clone(), a[2].clone()};
  }

  private static double[] spacing(double[] s, boolean flat) {
    if (s == null) {
      return new double[] {1, 1, 1};
    }
    if (!(s.length == 3 || (s.length == 2 && flat))) {
      throw new Gradcam3dException("the spacing must give the voxel size along (Z, Y, X), or (Y, X)"
          + " for a 2D image; got " + Arrays.toString(s) + ".");
    }
    for (double v : s) {
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new Gradcam3dException(
            "voxel spacing must be positive, got " + Arrays.toString(s) + ".");
      }
    }
    return s.length == 3 ? s.clone() : new double[] {1, s[0], s[1]};
  }
}
