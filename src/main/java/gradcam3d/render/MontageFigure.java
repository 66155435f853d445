package gradcam3d.render;

/** A grid of axial overlays, every n-th slice, each tile labelled with its z, plus a colorbar. */
final class MontageFigure {
  static final int MARGIN = 12;
  static final int GAP = 6;
  /** Tiles are scaled so the longer side of a slice is about this many pixels. */
  static final int TILE_SIDE = 224;

  final MontagePlan plan;
  final int tileWidth;
  final int tileHeight;

  /** Tiles every n-th axial slice (n = every, or automatic when null), showing slice anchor. */
  MontageFigure(Voxels v, Integer every, int anchor) {
    double scale = PanelScale.forTile(v, TILE_SIDE);
    tileWidth = PanelScale.width(v, Plane.AXIAL, scale);
    tileHeight = PanelScale.height(v, Plane.AXIAL, scale);
    plan = MontagePlan.of(v.depth, every, anchor, tileHeight / (double) tileWidth);
  }

  int tileX(int k) {
    return MARGIN + (k % plan.columns()) * (tileWidth + GAP);
  }

  int tileY(int k) {
    return MARGIN + (k / plan.columns()) * (tileHeight + GAP);
  }

  Picture compose(SliceRenderer renderer, Colormap map) {
    int gridW = plan.columns() * (tileWidth + GAP) - GAP;
    int gridH = plan.rows() * (tileHeight + GAP) - GAP;
    int height = Math.max(gridH, Annotations.MIN_HEIGHT);
    Picture fig = new Picture(MARGIN + gridW + 2 * GAP + Annotations.colorbarWidth() + MARGIN,
        MARGIN + height + MARGIN);
    fig.fill(0, 0, fig.width, fig.height, Annotations.BACKGROUND);
    for (int k = 0; k < plan.slices().size(); k++) {
      int z = plan.slices().get(k);
      fig.paste(renderer.render(Plane.AXIAL, z, tileWidth, tileHeight), tileX(k), tileY(k));
      Annotations.label(fig, plan.labels().get(k), tileX(k), tileY(k));
    }
    Annotations.colorbar(fig, map, MARGIN + gridW + 2 * GAP, MARGIN, height);
    return fig;
  }
}
