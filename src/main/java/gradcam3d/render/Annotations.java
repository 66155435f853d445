package gradcam3d.render;

/** Panel labels and the CAM colorbar, drawn with {@link PixelFont}. */
final class Annotations {
  static final int BACKGROUND = 0x141414;
  static final int TEXT = 0xFFFFFF;
  static final int TEXT_SCALE = 2;
  /** Space between a label's box edge and its text. */
  static final int PAD = 3;
  /** Distance of a label box from its panel's corner. */
  static final int INSET = 4;
  /** Figures are at least this tall (without margins) so the colorbar stays readable. */
  static final int MIN_HEIGHT = 160;

  private static final int BAR_W = 14;
  private static final int TICK = 4;
  /** Space between a tick and its number, so "-0.5" is not read as a negative value. */
  private static final int TICK_GAP = 6;
  private static final int MAX_BAR_H = 256;
  private static final String[] TICKS = {"1", "0.5", "0"};

  private Annotations() {}

  /** Writes text on a half-transparent dark box in the top-left corner of a panel at (x, y). */
  static void label(Picture p, String text, int x, int y) {
    int bx = x + INSET;
    int by = y + INSET;
    p.shade(bx, by, PixelFont.width(text, TEXT_SCALE) + 2 * PAD,
        PixelFont.height(TEXT_SCALE) + 2 * PAD, 0x000000, 0.6);
    PixelFont.draw(p, text, bx + PAD, by + PAD, TEXT_SCALE, TEXT);
  }

  /** Width a colorbar with its tick labels takes. */
  static int colorbarWidth() {
    int text = 0;
    for (String t : TICKS) {
      text = Math.max(text, PixelFont.width(t, TEXT_SCALE));
    }
    return Math.max(BAR_W + 1 + TICK + TICK_GAP + text, PixelFont.width("cam", TEXT_SCALE));
  }

  /**
   * A vertical colorbar (1 at the top, 0 at the bottom) titled "cam", with its top-left corner
   * at (x, y) and no taller than height pixels including title and tick labels.
   */
  static void colorbar(Picture p, Colormap map, int x, int y, int height) {
    int textH = PixelFont.height(TEXT_SCALE);
    PixelFont.draw(p, "cam", x, y, TEXT_SCALE, TEXT);
    int top = y + textH + 8;
    int barH = Math.max(2, Math.min(MAX_BAR_H, y + height - top - textH / 2));
    for (int r = 0; r < barH; r++) {
      p.fill(x, top + r, BAR_W, 1, map.rgb(1 - r / (barH - 1.0)));
    }
    outlineBox(p, x - 1, top - 1, BAR_W + 2, barH + 2, 0x909090);
    for (int i = 0; i < TICKS.length; i++) {
      int ty = top + (int) Math.round(i * (barH - 1) / (TICKS.length - 1.0));
      p.fill(x + BAR_W + 1, ty, TICK, 1, TEXT);
      int textX = x + BAR_W + 1 + TICK + TICK_GAP;
      PixelFont.draw(p, TICKS[i], textX, ty - textH / 2 + 2, TEXT_SCALE, TEXT);
    }
  }

  private static void outlineBox(Picture p, int x, int y, int w, int h, int color) {
    p.fill(x, y, w, 1, color);
    p.fill(x, y + h - 1, w, 1, color);
    p.fill(x, y, 1, h, color);
    p.fill(x + w - 1, y, 1, h, color);
  }
}
