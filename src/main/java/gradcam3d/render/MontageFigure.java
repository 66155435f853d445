package gradcam3d.render;

import java.util.stream.IntStream;

/**
 * A grid of axial overlays (the slices of a {@link MontagePlan}), each tile labelled with its z
 * and, for NIfTI, its position in mm, plus a colorbar; within the figure size.
 */
final class MontageFigure {
  static final int MARGIN = 12;
  static final int GAP = 6;
  /** Tiles are scaled so the longer side of a slice is about this many pixels. */
  static final int TILE_SIDE = 224;

  final MontagePlan plan;
  private final Voxels v;
  final int tileWidth;
  final int tileHeight;
  final int textScale;

  /** Tiles every n-th axial slice (n = every, or automatic when null), showing slice anchor. */
  MontageFigure(Voxels v, Integer every, int anchor) {
    this(v, every, anchor, RenderOptions.DEFAULT_FIGURE_SIZE);
  }

  MontageFigure(Voxels v, Integer every, int anchor, int figureSize) {
    this.v = v;
    double scale = PanelScale.forTile(v, TILE_SIDE);
    double aspect = PanelScale.height(v, Plane.AXIAL, scale)
        / (double) PanelScale.width(v, Plane.AXIAL, scale);
    MontagePlan p = MontagePlan.where(sliceMass(v), every, anchor, aspect);
    scale = fitted(v, p, scale, figureSize);
    tileWidth = PanelScale.width(v, Plane.AXIAL, scale);
    tileHeight = PanelScale.height(v, Plane.AXIAL, scale);
    plan = p.labelledBy(z -> Plane.AXIAL.sliceLabel(z, v));
    textScale = Annotations.scaleFor(Math.max(estimatedWidth(), height()));
  }

  int tileX(int k) {
    return MARGIN + (k % plan.columns()) * (tileWidth + GAP);
  }

  int tileY(int k) {
    return MARGIN + (k / plan.columns()) * (tileHeight + GAP);
  }

  /** The width with the smallest colorbar, which decides the font scale. */
  private int estimatedWidth() {
    return MARGIN + gridWidth() + 2 * GAP + Annotations.colorbarWidth(Annotations.TEXT_SCALE)
        + MARGIN;
  }

  int height() {
    return MARGIN + Math.max(gridHeight(), Annotations.MIN_HEIGHT) + footer() + MARGIN;
  }

  /** The line under the tiles for the display note, if any. */
  private int footer() {
    return v.display.note() == null ? 0 : Annotations.footerHeight(textScale);
  }

  Picture compose(SliceRenderer renderer, Colormap map) {
    int barX = MARGIN + gridWidth() + 2 * GAP;
    Picture fig = new Picture(barX + Annotations.colorbarWidth(textScale) + MARGIN, height());
    fig.fill(0, 0, fig.width, fig.height, Annotations.BACKGROUND);
    // the tiles are independent: rendered side by side (the other core is often idle by now),
    // each straight into its own rectangle of the figure
    Display.Edges edges = v.display.edges(Plane.AXIAL, false);
    int room = Annotations.cornerRoom(tileWidth, textScale, edges != null);
    String note = v.display.note();
    IntStream.range(0, plan.slices().size()).parallel().forEach(k -> {
      int z = plan.slices().get(k);
      Picture tile = fig.window(tileX(k), tileY(k), tileWidth, tileHeight);
      renderer.renderInto(tile, Plane.AXIAL, z);
      // the short label is made only when the full one does not fit
      String full = plan.labels().get(k);
      String label = Annotations.fits(room, textScale, full) ? full
          : Annotations.fitting(room, textScale, full, Plane.AXIAL.shortLabel(z, v));
      Annotations.label(tile, label, 0, 0, textScale);
      if (edges != null) {
        Annotations.edgeLetters(tile, edges, textScale);
      }
    });
    Annotations.colorbar(fig, map, barX, MARGIN, height() - 2 * MARGIN - footer(), textScale);
    if (note != null) {
      Annotations.footer(fig, note, MARGIN, MARGIN + Math.max(gridHeight(), Annotations.MIN_HEIGHT), textScale);
    }
    return fig;
  }

  private int gridWidth() {
    return plan.columns() * (tileWidth + GAP) - GAP;
  }

  private int gridHeight() {
    return plan.rows() * (tileHeight + GAP) - GAP;
  }

  /** The tile scale reduced, if needed, so the whole grid fits within figureSize pixels. */
  private static double fitted(Voxels v, MontagePlan p, double scale, int figureSize) {
    int w = PanelScale.width(v, Plane.AXIAL, scale);
    int h = PanelScale.height(v, Plane.AXIAL, scale);
    // room for the widest colorbar this figure size can get, so the result stays within it
    int bar = Annotations.colorbarWidth(Annotations.scaleFor(figureSize));
    int fixedW = 2 * MARGIN + 2 * GAP + bar + (p.columns() - 1) * GAP;
    int fixedH = 2 * MARGIN + (p.rows() - 1) * GAP
        + (v.display.note() == null ? 0 : Annotations.footerHeight(Annotations.scaleFor(figureSize)));
    double room = Math.min((figureSize - fixedW) / (double) (p.columns() * w),
        (figureSize - fixedH) / (double) (p.rows() * h));
    if (room >= 1) {
      return scale;
    }
    double s = scale * room;
    double finest = Math.min(v.spacing[1], v.spacing[2]);
    return s * finest > 1 ? Math.floor(s * finest + 1e-9) / finest : s;
  }

  /** The CAM's sum over each axial slice (NaN counts as 0). */
  static double[] sliceMass(Voxels v) {
    double[] mass = new double[v.depth];
    int plane = v.height * v.width;
    for (int z = 0; z < v.depth; z++) {
      double m = 0;
      for (int i = z * plane; i < (z + 1) * plane; i++) {
        float c = v.cam[i];
        if (c > 0) {
          m += c;
        }
      }
      mass[z] = m;
    }
    return mass;
  }
}
