package gradcam3d.render;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the panels of the overlay figure go and how large they are. All panels share one
 * pixels-per-mm scale, so physical proportions hold. The scale is the preferred one of
 * {@link PanelScale#forFigure} unless the figure would then exceed the figure size on its longer
 * side; the panels are then arranged (in a row, axial beside or above the other two, or in a
 * column) so that they can stay as large as possible: a thin volume's flat coronal and sagittal
 * strips go under the axial panel instead of beside it. Enlarged voxels keep whole pixels.
 */
final class FigureLayout {
  static final int MARGIN = 12;
  static final int GAP = 12;

  /** Panel arrangements, in order of preference when they allow the same scale. */
  enum Arrangement {
    /** axial | coronal | sagittal */
    ROW,
    /** axial | (coronal over sagittal) */
    AXIAL_LEFT,
    /** axial over (coronal | sagittal) */
    AXIAL_TOP,
    /** axial over coronal over sagittal */
    COLUMN
  }

  /** One panel: a plane drawn at (x, y) with the given size in pixels. */
  record Panel(Plane plane, int x, int y, int width, int height) {}

  final Arrangement arrangement;
  final double scale;
  final List<Panel> panels;
  final int width;
  final int height;
  final int textScale;
  final int colorbarX;
  final int contentHeight;
  /** Height of the line under the panels that carries the display note (0: none). */
  final int footer;

  private FigureLayout(Arrangement arrangement, double scale, List<Panel> panels, int textScale, boolean note) {
    this.arrangement = arrangement;
    this.scale = scale;
    this.panels = List.copyOf(panels);
    this.textScale = textScale;
    int right = 0;
    int bottom = 0;
    for (Panel p : panels) {
      right = Math.max(right, p.x + p.width);
      bottom = Math.max(bottom, p.y + p.height);
    }
    this.colorbarX = right + GAP;
    this.contentHeight = Math.max(bottom - MARGIN, Annotations.MIN_HEIGHT);
    this.width = colorbarX + Annotations.colorbarWidth(textScale) + MARGIN;
    this.footer = note ? Annotations.footerHeight(textScale) : 0;
    this.height = MARGIN + contentHeight + footer + MARGIN;
  }

  int longSide() {
    return Math.max(width, height);
  }

  /** The layout for these planes of v within figureSize pixels (see the class comment). */
  static FigureLayout of(Voxels v, List<Plane> planes, int figureSize) {
    boolean note = v.display.note() != null;
    FigureLayout first = best(v, planes, figureSize, Annotations.TEXT_SCALE, note);
    int text = Annotations.scaleFor(first.longSide());
    return text == first.textScale ? first : best(v, planes, figureSize, text, note);
  }

  private static FigureLayout best(Voxels v, List<Plane> planes, int figureSize, int text, boolean note) {
    double preferred = PanelScale.forFigure(v, planes);
    double finest = PanelScale.finestSpacing(v, planes);
    List<Arrangement> candidates = planes.size() == 1 ? List.of(Arrangement.ROW)
        : List.of(Arrangement.values());
    FigureLayout best = null;
    for (Arrangement a : candidates) {
      double s = largestFitting(v, planes, a, text, figureSize, preferred, note);
      if (s * finest > 1) { // enlarging: whole pixels per voxel keep voxels evenly sized
        s = Math.floor(s * finest + 1e-9) / finest;
      }
      if (best == null || s > best.scale * (1 + 1e-9)) {
        best = place(v, planes, a, s, text, note);
      }
    }
    return best;
  }

  /** The largest scale up to preferred at which the arrangement fits, by bisection. */
  private static double largestFitting(Voxels v, List<Plane> planes, Arrangement a, int text,
      int figureSize, double preferred, boolean note) {
    if (place(v, planes, a, preferred, text, note).longSide() <= figureSize) {
      return preferred;
    }
    double lo = 0;
    double hi = preferred;
    for (int i = 0; i < 50; i++) {
      double mid = (lo + hi) / 2;
      if (place(v, planes, a, mid, text, note).longSide() <= figureSize) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  static FigureLayout place(Voxels v, List<Plane> planes, Arrangement a, double s, int text, boolean note) {
    int n = planes.size();
    int[] w = new int[n];
    int[] h = new int[n];
    for (int i = 0; i < n; i++) {
      w[i] = PanelScale.width(v, planes.get(i), s);
      h[i] = PanelScale.height(v, planes.get(i), s);
    }
    List<Panel> out = new ArrayList<>();
    switch (n == 1 ? Arrangement.ROW : a) {
      case ROW -> {
        int x = MARGIN;
        for (int i = 0; i < n; i++) {
          out.add(new Panel(planes.get(i), x, MARGIN, w[i], h[i]));
          x += w[i] + GAP;
        }
      }
      case AXIAL_LEFT -> {
        int x = MARGIN + w[0] + GAP;
        out.add(new Panel(planes.get(0), MARGIN, MARGIN, w[0], h[0]));
        out.add(new Panel(planes.get(1), x, MARGIN, w[1], h[1]));
        out.add(new Panel(planes.get(2), x, MARGIN + h[1] + GAP, w[2], h[2]));
      }
      case AXIAL_TOP -> {
        int y = MARGIN + h[0] + GAP;
        out.add(new Panel(planes.get(0), MARGIN, MARGIN, w[0], h[0]));
        out.add(new Panel(planes.get(1), MARGIN, y, w[1], h[1]));
        out.add(new Panel(planes.get(2), MARGIN + w[1] + GAP, y, w[2], h[2]));
      }
      case COLUMN -> {
        int y = MARGIN;
        for (int i = 0; i < n; i++) {
          out.add(new Panel(planes.get(i), MARGIN, y, w[i], h[i]));
          y += h[i] + GAP;
        }
      }
      default -> throw new IllegalStateException(a.name());
    }
    return new FigureLayout(a, s, out, text, note);
  }
}
