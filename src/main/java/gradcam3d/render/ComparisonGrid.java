package gradcam3d.render;

import gradcam3d.tensor.FloatTensor;
import java.nio.file.Path;
import java.util.List;

/**
 * Several maps of one input side by side, each blended over the same axial slice (the first map's
 * peak unless the options fix the slice), labelled, in a grid of at most four columns.
 */
public final class ComparisonGrid {
  private static final int TILE = 256;
  private static final int COLUMNS = 4;

  private ComparisonGrid() {}

  /**
   * @param image the input (Z, Y, X) or (Y, X); cams the maps, same shape, in [0, 1]
   * @return the axial slice shown
   */
  public static int write(FloatTensor image, List<FloatTensor> cams, List<String> labels, double[] spacing,
      RenderOptions o, Path png) {
    Voxels first = Voxels.of(image, cams.get(0), null, spacing);
    int slice = PeakFinder.choose(first, o).z();
    GrayWindow window = GrayWindow.robust(first.image);
    double scale = PanelScale.forTile(first, TILE);
    int w = PanelScale.width(first, Plane.AXIAL, scale);
    int h = PanelScale.height(first, Plane.AXIAL, scale);
    int cols = Math.min(COLUMNS, cams.size());
    int rows = (cams.size() + cols - 1) / cols;
    Picture p = new Picture(cols * w, rows * h);
    p.fill(0, 0, p.width, p.height, Annotations.BACKGROUND);
    for (int i = 0; i < cams.size(); i++) {
      Voxels v = Voxels.of(image, cams.get(i), null, spacing);
      Picture tile = new SliceRenderer(v, window, o).render(Plane.AXIAL, slice, w, h);
      int x = (i % cols) * w;
      int y = (i / cols) * h;
      p.paste(tile, x, y);
      Annotations.label(p, labels.get(i), x, y, Annotations.scaleFor(Math.max(w, h)));
    }
    PngFiles.write(p, png);
    return slice;
  }
}
