package gradcam3d.render;

import gradcam3d.tensor.FloatTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Several maps of one input side by side, each blended over the same axial slice (the first map's
 * peak unless the options fix the slice), in a grid of at most four columns with a colour bar.
 * Each tile has its full title (method and layer) above it, wrapped over as many lines as it
 * needs, and the orientation letters on its edges; the arrays come in display order, as for
 * {@link Figures}.
 */
public final class ComparisonGrid {
  private static final int TILE = 256;
  private static final int COLUMNS = 4;
  private static final int MARGIN = FigureLayout.MARGIN;
  private static final int GAP = 6;

  private ComparisonGrid() {}

  /** Arrays without geometry, drawn in array order. */
  public static int write(FloatTensor image, List<FloatTensor> cams, List<String> labels, double[] spacing,
      RenderOptions o, Path png) {
    return write(image, cams, labels, spacing, null, Display.arrayOrder(), o, png);
  }

  /**
   * @param image the scan (Z, Y, X) or (Y, X) in display order; cams the maps, same shape, in [0, 1]
   * @param affine the display grid's affine (slice position in the title line), or null
   * @return the axial (figure) slice shown
   */
  public static int write(FloatTensor image, List<FloatTensor> cams, List<String> labels, double[] spacing,
      double[][] affine, Display display, RenderOptions o, Path png) {
    Voxels first = Voxels.of(image, cams.get(0), null, spacing, affine, display);
    int slice = PeakFinder.choose(first, o).z();
    GrayWindow window = GrayWindow.robust(first.image);
    double scale = PanelScale.forTile(first, TILE);
    int w = PanelScale.width(first, Plane.AXIAL, scale);
    int h = PanelScale.height(first, Plane.AXIAL, scale);
    int cols = Math.min(COLUMNS, cams.size());
    int rows = (cams.size() + cols - 1) / cols;
    int text = Annotations.TEXT_SCALE;
    int lineHeight = PixelFont.height(text) + 2;
    // every title in full, wrapped to the tile's width; each row of tiles is as tall as its longest title
    List<List<String>> wrapped = new ArrayList<>();
    for (String label : labels) {
      wrapped.add(wrap(label, Math.max(1, w / (PixelFont.width("M", text) + text))));
    }
    int[] titleLines = new int[rows];
    for (int i = 0; i < labels.size(); i++) {
      titleLines[i / cols] = Math.max(titleLines[i / cols], wrapped.get(i).size());
    }
    int[] rowTop = new int[rows + 1];
    rowTop[0] = MARGIN;
    for (int r = 0; r < rows; r++) {
      rowTop[r + 1] = rowTop[r] + titleLines[r] * lineHeight + 4 + h + GAP;
    }
    int gridWidth = cols * w + (cols - 1) * GAP;
    String note = display.note();
    String where = Plane.AXIAL.label(slice, first);
    int footer = lineHeight * (note == null ? 1 : 2) + 4;
    int contentHeight = Math.max(rowTop[rows] - GAP - MARGIN, Annotations.MIN_HEIGHT);
    Picture p = new Picture(MARGIN + gridWidth + GAP + Annotations.colorbarWidth(text) + MARGIN,
        MARGIN + contentHeight + footer + MARGIN);
    p.fill(0, 0, p.width, p.height, Annotations.BACKGROUND);
    Display.Edges edges = display.edges(Plane.AXIAL, first.is2d());
    for (int i = 0; i < cams.size(); i++) {
      Voxels v = Voxels.of(image, cams.get(i), null, spacing, affine, display);
      Picture tile = new SliceRenderer(v, window, o).render(Plane.AXIAL, slice, w, h);
      if (edges != null) {
        Annotations.edgeLetters(tile, edges, text);
      }
      int x = MARGIN + (i % cols) * (w + GAP);
      int r = i / cols;
      List<String> lines = wrapped.get(i);
      for (int l = 0; l < lines.size(); l++) {
        PixelFont.draw(p, lines.get(l), x, rowTop[r] + l * lineHeight, text, Annotations.TEXT);
      }
      p.paste(tile, x, rowTop[r] + titleLines[r] * lineHeight + 4);
    }
    Annotations.colorbar(p, o.colormap(), MARGIN + gridWidth + GAP, MARGIN, contentHeight, text);
    int y = MARGIN + contentHeight + 4;
    Annotations.footer(p, where, MARGIN, y, text);
    if (note != null) {
      Annotations.footer(p, note, MARGIN, y + lineHeight, text);
    }
    PngFiles.write(p, png);
    return slice;
  }

  /** Words of {@code text} in lines of at most {@code width} characters; a longer word is cut. */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      while (word.length() > width) {
        if (line.length() > 0) {
          lines.add(line.toString());
          line.setLength(0);
        }
        lines.add(word.substring(0, width));
        word = word.substring(width);
      }
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (!word.isEmpty()) {
        line.append(line.length() > 0 ? " " : "").append(word);
      }
    }
    if (line.length() > 0 || lines.isEmpty()) {
      lines.add(line.toString());
    }
    return lines;
  }
}
