package gradcam3d.render;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Deletion and insertion curves as one PNG: two panels side by side (x = fraction of voxels
 * removed / restored, y = the normalised score or the score relative to the unperturbed input)
 * with axes, ticks, titles and a legend giving each line's label and area under the curve. When
 * the curves' points lie on a geometric scale (a first step below 4 %), the x axis is logarithmic
 * (ticks at powers of ten) with 0 at its left end, so the steps that resolve a small
 * target are as wide as the others; the areas are over the linear fraction all the same.
 */
public final class CurveChart {
  /** One line: a label and its two curves on the same fractions. */
  public record Series(String label, double[] fractions, double[] deletion, double[] insertion,
      double deletionAuc, double insertionAuc) {}

  static final int[] PALETTE = {0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F, 0xEDC948, 0xB07AA1, 0xFF9DA7,
      0x9C755F, 0xBAB0AC};
  private static final int PANEL_W = 420;
  private static final int PANEL_H = 300;
  private static final int LEFT = 70;
  private static final int TOP = 40;
  private static final int BOTTOM = 60;
  private static final int GAP = 40;
  private static final int AXIS = 0xDDDDDD;
  private static final int GRID = 0x333333;
  private static final int SCALE = 2;

  private CurveChart() {}

  public static void write(List<Series> series, Path png) {
    write(series, png, "score / unperturbed");
  }

  /** Same, with the y axis named {@code yLabel}. */
  public static void write(List<Series> series, Path png, String yLabel) {
    double first = 1;
    for (Series s : series) {
      for (double f : s.fractions()) {
        if (f > 0) {
          first = Math.min(first, f);
        }
      }
    }
    // the decade below the first step: the left end of a logarithmic axis (0 = linear axis)
    double logFrom = first < 0.04 ? Math.floor(Math.log10(first)) : 0;
    double lo = 0;
    double hi = 1;
    for (Series s : series) {
      for (double[] ys : List.of(s.deletion(), s.insertion())) {
        for (double y : ys) {
          if (Double.isFinite(y)) {
            lo = Math.min(lo, y);
            hi = Math.max(hi, y);
          }
        }
      }
    }
    double step = niceStep((hi - lo) / 4);
    lo = Math.floor(lo / step) * step;
    hi = Math.ceil(hi / step) * step;
    int lineH = PixelFont.height(SCALE) + 6;
    int legendH = series.size() * lineH + 10;
    int width = LEFT + PANEL_W + GAP + LEFT + PANEL_W + 20;
    int height = TOP + PANEL_H + BOTTOM + legendH;
    Picture p = new Picture(width, height);
    p.fill(0, 0, width, height, Annotations.BACKGROUND);
    for (int panel = 0; panel < 2; panel++) {
      int x0 = LEFT + panel * (PANEL_W + GAP + LEFT);
      String title = panel == 0 ? "deletion (lower is better)" : "insertion (higher is better)";
      PixelFont.draw(p, title, x0, 10, SCALE, Annotations.TEXT);
      String xLabel = logFrom < 0 ? (panel == 0 ? "fraction removed" : "fraction restored")
          : (panel == 0 ? "fraction of voxels removed" : "fraction of voxels restored");
      axes(p, x0, lo, hi, step, xLabel, logFrom, yLabel);
      for (int i = 0; i < series.size(); i++) {
        Series s = series.get(i);
        double[] ys = panel == 0 ? s.deletion() : s.insertion();
        int color = PALETTE[i % PALETTE.length];
        for (int k = 0; k + 1 < ys.length; k++) {
          line(p, px(x0, s.fractions()[k], logFrom), py(ys[k], lo, hi), px(x0, s.fractions()[k + 1], logFrom),
              py(ys[k + 1], lo, hi), color);
        }
      }
    }
    int ly = TOP + PANEL_H + BOTTOM;
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      int y = ly + i * lineH;
      p.fill(LEFT, y + lineH / 2 - 2, 24, 4, PALETTE[i % PALETTE.length]);
      PixelFont.draw(p, String.format(Locale.ROOT, "%s  deletion auc %.3f  insertion auc %.3f", s.label(),
          s.deletionAuc(), s.insertionAuc()), LEFT + 32, y, SCALE, Annotations.TEXT);
    }
    PngFiles.write(p, png);
  }

  private static void axes(Picture p, int x0, double lo, double hi, double step, String xLabel, double logFrom,
      String yLabel) {
    if (logFrom < 0) {
      tick(p, x0, 0, "0", logFrom);
      for (int e = (int) logFrom; e <= 0; e++) {
        double f = Math.pow(10, e);
        tick(p, x0, f, decimal(f), logFrom);
      }
      xLabel += " (log scale)";
    } else {
      for (double t = 0; t <= 1.0001; t += 0.25) {
        tick(p, x0, t, trim(t), logFrom);
      }
    }
    for (double v = lo; v <= hi + step / 1000; v += step) {
      int y = py(v, lo, hi);
      p.fill(x0, y, PANEL_W, 1, GRID);
      String s = trim(v);
      PixelFont.draw(p, s, x0 - PixelFont.width(s, SCALE) - 6, y - PixelFont.height(SCALE) / 2, SCALE, AXIS);
    }
    p.fill(x0, TOP, 1, PANEL_H, AXIS);
    p.fill(x0, TOP + PANEL_H, PANEL_W, 1, AXIS);
    PixelFont.draw(p, xLabel, x0 + (PANEL_W - PixelFont.width(xLabel, SCALE)) / 2, TOP + PANEL_H + 32, SCALE, AXIS);
    PixelFont.draw(p, yLabel, x0 + 6, TOP + 4, SCALE, AXIS);
  }

  private static void tick(Picture p, int x0, double f, String label, double logFrom) {
    int x = px(x0, f, logFrom);
    p.fill(x, TOP, 1, PANEL_H, GRID);
    PixelFont.draw(p, label, x - PixelFont.width(label, SCALE) / 2, TOP + PANEL_H + 8, SCALE, AXIS);
  }

  /** A power of ten as a plain decimal: 0.001, 0.01, 0.1, 1. */
  static String decimal(double f) {
    return java.math.BigDecimal.valueOf(f).stripTrailingZeros().toPlainString();
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.2f", v);
    s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    return s.equals("-0") ? "0" : s;
  }

  static double niceStep(double raw) {
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * mag >= raw) {
        return m * mag;
      }
    }
    return 10 * mag;
  }

  /** Gap between 0 and the first decade on a logarithmic axis. */
  private static final int ZERO_GAP = 48;

  private static int px(int x0, double f, double logFrom) {
    if (logFrom >= 0) {
      return x0 + (int) Math.round(f * (PANEL_W - 1));
    }
    if (f <= 0) {
      return x0;
    }
    double t = (Math.log10(f) - logFrom) / -logFrom;
    return x0 + ZERO_GAP + (int) Math.round(Math.max(0, t) * (PANEL_W - 1 - ZERO_GAP));
  }

  private static int py(double v, double lo, double hi) {
    double t = Double.isFinite(v) ? (v - lo) / (hi - lo) : 0;
    return TOP + (int) Math.round((1 - t) * (PANEL_H - 1));
  }

  /** A 2-pixel line (Bresenham). */
  private static void line(Picture p, int x0, int y0, int x1, int y1, int color) {
    int dx = Math.abs(x1 - x0);
    int dy = -Math.abs(y1 - y0);
    int sx = x0 < x1 ? 1 : -1;
    int sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    while (true) {
      p.fill(x0, y0, 2, 2, color);
      if (x0 == x1 && y0 == y1) {
        return;
      }
      int e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  }
}
