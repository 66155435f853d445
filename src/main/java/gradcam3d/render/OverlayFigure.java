package gradcam3d.render;

import java.util.List;

/**
 * The overlay figure: axial, coronal and sagittal panels through one point side by side at a
 * common scale, each labelled, and a colorbar on the right. A 2D input gets a single panel.
 */
final class OverlayFigure {
  static final int MARGIN = 12;
  static final int GAP = 12;

  private OverlayFigure() {}

  static Picture compose(Voxels v, SliceRenderer renderer, SlicePoint at, Colormap map) {
    List<Plane> planes = v.is2d() ? List.of(Plane.AXIAL)
        : List.of(Plane.AXIAL, Plane.CORONAL, Plane.SAGITTAL);
    double scale = PanelScale.forFigure(v, planes);
    int width = MARGIN + Annotations.colorbarWidth() + MARGIN;
    int height = 0;
    for (Plane p : planes) {
      width += PanelScale.width(v, p, scale) + GAP;
      height = Math.max(height, PanelScale.height(v, p, scale));
    }
    height = Math.max(height, Annotations.MIN_HEIGHT);
    Picture fig = new Picture(width, MARGIN + height + MARGIN);
    fig.fill(0, 0, fig.width, fig.height, Annotations.BACKGROUND);
    int x = MARGIN;
    for (Plane p : planes) {
      int slice = p.sliceOf(at);
      Picture panel = renderer.render(p, slice,
          PanelScale.width(v, p, scale), PanelScale.height(v, p, scale));
      fig.paste(panel, x, MARGIN);
      Annotations.label(fig, v.is2d() ? "2d image" : p.label(slice), x, MARGIN);
      x += panel.width + GAP;
    }
    Annotations.colorbar(fig, map, x, MARGIN, height);
    return fig;
  }
}
