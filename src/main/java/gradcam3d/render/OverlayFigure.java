package gradcam3d.render;

import java.util.List;

/**
 * The overlay figure: axial, coronal and sagittal panels through one point at a common scale,
 * arranged by {@link FigureLayout}, each labelled, and a colorbar on the right. A 2D input gets a
 * single panel.
 */
final class OverlayFigure {
  static final int MARGIN = FigureLayout.MARGIN;
  static final int GAP = FigureLayout.GAP;

  private OverlayFigure() {}

  static FigureLayout layout(Voxels v, RenderOptions o) {
    List<Plane> planes = v.is2d() ? List.of(Plane.AXIAL)
        : List.of(Plane.AXIAL, Plane.CORONAL, Plane.SAGITTAL);
    return FigureLayout.of(v, planes, o.figureSize());
  }

  static Picture compose(Voxels v, SliceRenderer renderer, SlicePoint at, RenderOptions o) {
    FigureLayout layout = layout(v, o);
    Picture fig = new Picture(layout.width, layout.height);
    fig.fill(0, 0, fig.width, fig.height, Annotations.BACKGROUND);
    String note = v.display.note();
    for (FigureLayout.Panel p : layout.panels) {
      int slice = p.plane().sliceOf(at);
      Picture panel = fig.window(p.x(), p.y(), p.width(), p.height());
      renderer.renderInto(panel, p.plane(), slice);
      Display.Edges edges = v.display.edges(p.plane(), v.is2d());
      int room = Annotations.cornerRoom(p.width(), layout.textScale, edges != null);
      String label = v.is2d() ? v.display.title(p.plane(), true) : Annotations.fitting(room, layout.textScale,
          p.plane().label(slice, v), p.plane().sliceLabel(slice, v), p.plane().shortLabel(slice, v));
      Annotations.label(panel, label, 0, 0, layout.textScale);
      if (edges != null) {
        Annotations.edgeLetters(panel, edges, layout.textScale);
      }
    }
    Annotations.colorbar(fig, o.colormap(), layout.colorbarX, MARGIN, layout.contentHeight,
        layout.textScale);
    if (note != null) {
      Annotations.footer(fig, note, MARGIN, MARGIN + layout.contentHeight, layout.textScale);
    }
    return fig;
  }
}
