package gradcam3d.render;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A labelled matrix as a PNG: one row per structure, one column per class (or class and method),
 * each cell coloured by its value on viridis from 0 to the largest value and printed with its
 * spread in brackets, empty cells dark. For the cohort's label x class matrix of a batch.
 */
public final class HeatMap {
  private static final int CELL_W = 116;
  private static final int CELL_H = 22;
  private static final int SCALE = 1;
  private static final int PAD = 10;

  private HeatMap() {}

  /**
   * @param mean values in [0, 1] (NaN: no case), rows x columns
   * @param spread the standard deviation beside each mean (NaN: not shown)
   */
  public static byte[] png(String title, List<String> rows, List<String> columns, double[][] mean, double[][] spread) {
    int labelW = 0;
    for (String r : rows) {
      labelW = Math.max(labelW, PixelFont.width(r, SCALE));
    }
    int headH = 0;
    for (String c : columns) {
      headH = Math.max(headH, wrap(c).size() * (PixelFont.height(SCALE) + 3));
    }
    int top = PAD + PixelFont.height(2) + 8 + headH + 4;
    int left = PAD + labelW + 8;
    int width = Math.max(left + columns.size() * CELL_W + PAD, PAD + PixelFont.width(title, 2) + PAD);
    int height = top + rows.size() * CELL_H + PAD;
    Picture p = new Picture(width, height);
    p.fill(0, 0, width, height, Annotations.BACKGROUND);
    PixelFont.draw(p, title, PAD, PAD, 2, Annotations.TEXT);
    double max = 0;
    for (double[] row : mean) {
      for (double v : row) {
        if (Double.isFinite(v)) {
          max = Math.max(max, v);
        }
      }
    }
    for (int c = 0; c < columns.size(); c++) {
      int y = PAD + PixelFont.height(2) + 8;
      for (String line : wrap(columns.get(c))) {
        PixelFont.draw(p, line, left + c * CELL_W + 4, y, SCALE, 0xDDDDDD);
        y += PixelFont.height(SCALE) + 3;
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      int y = top + r * CELL_H;
      PixelFont.draw(p, rows.get(r), PAD, y + (CELL_H - PixelFont.height(SCALE)) / 2, SCALE, 0xDDDDDD);
      for (int c = 0; c < columns.size(); c++) {
        int x = left + c * CELL_W;
        double v = mean[r][c];
        if (!Double.isFinite(v)) {
          p.fill(x, y, CELL_W - 2, CELL_H - 2, 0x2A2A2A);
          continue;
        }
        double t = max > 0 ? v / max : 0;
        p.fill(x, y, CELL_W - 2, CELL_H - 2, Colormap.VIRIDIS.rgb(t));
        String text = String.format(Locale.ROOT, "%.3f", v);
        double s = spread[r][c];
        if (Double.isFinite(s)) {
          text += String.format(Locale.ROOT, " (%.3f)", s);
        }
        PixelFont.draw(p, text, x + 4, y + (CELL_H - PixelFont.height(SCALE)) / 2, SCALE, t > 0.6 ? 0x000000 : 0xFFFFFF);
      }
    }
    return PngFiles.encode(p);
  }

  /** A column name on lines of the cell's width, broken at spaces where possible. */
  static List<String> wrap(String name) {
    int perLine = Math.max(1, (CELL_W - 8) / (PixelFont.width("ab", SCALE) - PixelFont.width("a", SCALE)));
    List<String> lines = new java.util.ArrayList<>();
    String line = "";
    for (String word : name.split(" ")) {
      while (word.length() > perLine) {
        if (!line.isEmpty()) {
          lines.add(line);
          line = "";
        }
        lines.add(word.substring(0, perLine));
        word = word.substring(perLine);
      }
      if (line.isEmpty()) {
        line = word;
      } else if (line.length() + 1 + word.length() <= perLine) {
        line += " " + word;
      } else {
        lines.add(line);
        line = word;
      }
    }
    if (!line.isEmpty()) {
      lines.add(line);
    }
    return lines;
  }

  public static void write(String title, List<String> rows, List<String> columns, double[][] mean, double[][] spread,
      Path png) {
    byte[] bytes = png(title, rows, columns, mean, spread);
    gradcam3d.AtomicFiles.write(png, out -> out.write(bytes));
  }
}
