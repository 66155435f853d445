package gradcam3d.render;

/**
 * The three orthogonal slice planes of a (Z, Y, X) figure volume. Rows and columns follow array
 * order, with row 0 drawn at the top and column 0 at the left (axial: rows = Y, cols = X;
 * coronal: rows = Z, cols = X; sagittal: rows = Z, cols = Y); the caller puts the arrays in
 * display order first ({@link Display}), which is what makes the planes anatomical.
 */
enum Plane {
  AXIAL("axial", "z"),
  CORONAL("coronal", "y"),
  SAGITTAL("sagittal", "x");

  private final String title;
  private final String axis;

  Plane(String title, String axis) {
    this.title = title;
    this.axis = axis;
  }

  /** The axis (0 = Z, 1 = Y, 2 = X) this plane's slices are taken along. */
  int normal() {
    return switch (this) {
      case AXIAL -> 0;
      case CORONAL -> 1;
      case SAGITTAL -> 2;
    };
  }

  /** Number of slices along this plane's normal. */
  int count(Voxels v) {
    return switch (this) {
      case AXIAL -> v.depth;
      case CORONAL -> v.height;
      case SAGITTAL -> v.width;
    };
  }

  int rows(Voxels v) {
    return this == AXIAL ? v.height : v.depth;
  }

  int cols(Voxels v) {
    return this == SAGITTAL ? v.height : v.width;
  }

  double rowSpacing(Voxels v) {
    return this == AXIAL ? v.spacing[1] : v.spacing[0];
  }

  double colSpacing(Voxels v) {
    return this == SAGITTAL ? v.spacing[1] : v.spacing[2];
  }

  /** Flat index of the voxel at (row, col) of the given slice. */
  int index(Voxels v, int slice, int row, int col) {
    return switch (this) {
      case AXIAL -> v.index(slice, row, col);
      case CORONAL -> v.index(row, slice, col);
      case SAGITTAL -> v.index(row, col, slice);
    };
  }

  /** This plane's slice of a point, e.g. its z for the axial plane. */
  int sliceOf(SlicePoint p) {
    return switch (this) {
      case AXIAL -> p.z();
      case CORONAL -> p.y();
      case SAGITTAL -> p.x();
    };
  }

  /** The figure axis (0 = Z, 1 = Y, 2 = X) running down this plane's rows. */
  int rowAxis() {
    return this == AXIAL ? 1 : 0;
  }

  /** The figure axis running along this plane's columns. */
  int colAxis() {
    return this == SAGITTAL ? 1 : 2;
  }

  /** The figure axis's letter: z, y or x. */
  String axisName() {
    return axis;
  }

  /**
   * Panel label: for an oriented scan its anatomical name and the slice's world position along
   * the plane's normal ("axial S 36.0mm"), else the slice index and, with an affine, its position
   * ("z=12 36.0mm").
   */
  String label(int slice, Voxels v) {
    return v.display.noGeometry() ? sliceLabel(slice, v) : v.display.title(this, v.is2d()) + " " + sliceLabel(slice, v);
  }

  /** The plane's array-order title: axial, coronal or sagittal. */
  String title() {
    return title;
  }

  /** The slice's position: "S 36.0mm" (oriented), "z=12 36.0mm" or "z=12" (array order). */
  String sliceLabel(int slice, Voxels v) {
    double mm = v.positionMm(normal(), slice);
    if (v.display.anatomical()) {
      return v.display.normalLetter(this) + String.format(java.util.Locale.ROOT, " %.1fmm", mm);
    }
    String index = indexLabel(v.fullIndex(normal(), slice));
    return Double.isNaN(mm) ? index : index + String.format(java.util.Locale.ROOT, " %.1fmm", mm);
  }

  /** The shortest label: "S 36" (oriented) or "z=12". */
  String shortLabel(int slice, Voxels v) {
    if (v.display.anatomical()) {
      return v.display.normalLetter(this) + String.format(java.util.Locale.ROOT, " %.0f", v.positionMm(normal(), slice));
    }
    return indexLabel(v.fullIndex(normal(), slice));
  }

  /** The slice's index alone: "z=12". */
  String indexLabel(int slice) {
    return axis + "=" + slice;
  }
}
