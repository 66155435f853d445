package gradcam3d.render;

import java.util.List;

/**
 * Picks one pixels-per-mm scale for a set of panels, so that physical proportions hold within
 * and across panels (a 1.5 mm slice is drawn 1.5x as tall as a 1 mm pixel row).
 */
final class PanelScale {
  /** Small slices are enlarged until their shortest side has at least this many pixels. */
  static final int MIN_SIDE = 256;
  /** Large slices keep one pixel per voxel while their longest side stays within this. */
  static final int NATIVE_MAX_SIDE = 1024;
  /** No panel side is scaled beyond this, even for extremely anisotropic volumes. */
  static final int HARD_MAX_SIDE = 2048;

  private PanelScale() {}

  /** Scale for full-size figure panels. */
  static double forFigure(Voxels v, List<Plane> planes) {
    double shortest = Double.POSITIVE_INFINITY;
    double longest = 0;
    for (Plane p : planes) {
      double w = p.cols(v) * p.colSpacing(v);
      double h = p.rows(v) * p.rowSpacing(v);
      shortest = Math.min(shortest, Math.min(w, h));
      longest = Math.max(longest, Math.max(w, h));
    }
    double finest = finestSpacing(v, planes);
    double s = MIN_SIDE / shortest;
    s = Math.max(s, Math.min(1 / finest, NATIVE_MAX_SIDE / longest));
    if (s * finest > 1) { // enlarging: whole pixels per voxel keep voxels evenly sized
      s = Math.ceil(s * finest - 1e-9) / finest;
    }
    return Math.min(s, HARD_MAX_SIDE / longest);
  }

  /** Scale for montage tiles: the longer side of an axial slice about longSide pixels. */
  static double forTile(Voxels v, int longSide) {
    double w = v.width * v.spacing[2];
    double h = v.height * v.spacing[1];
    double finest = Math.min(v.spacing[1], v.spacing[2]);
    double s = longSide / Math.max(w, h);
    if (s * finest > 1) {
      s = Math.floor(s * finest + 1e-9) / finest;
    }
    return s;
  }

  static int width(Voxels v, Plane p, double pxPerMm) {
    return Math.max(1, (int) Math.round(p.cols(v) * p.colSpacing(v) * pxPerMm));
  }

  static int height(Voxels v, Plane p, double pxPerMm) {
    return Math.max(1, (int) Math.round(p.rows(v) * p.rowSpacing(v) * pxPerMm));
  }

  static double finestSpacing(Voxels v, List<Plane> planes) {
    double f = Double.POSITIVE_INFINITY;
    for (Plane p : planes) {
      f = Math.min(f, Math.min(p.rowSpacing(v), p.colSpacing(v)));
    }
    return f;
  }
}
