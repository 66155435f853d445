package gradcam3d.render;

/**
 * Panel labels and the CAM colorbar, drawn with {@link PixelFont}. Text and colorbar grow with
 * the figure ({@link #scaleFor}) so they stay readable when a large figure is viewed whole.
 */
final class Annotations {
  static final int BACKGROUND = 0x141414;
  static final int TEXT = 0xFFFFFF;
  /** Font scale of figures up to about 1000 px; larger figures get larger text. */
  static final int TEXT_SCALE = 2;
  /** A figure gets one font scale step per this many pixels of its longer side. */
  static final int PIXELS_PER_SCALE = 500;
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

  /** Font scale for a figure whose longer side is longSide pixels: 2 up to 1249 px, then more. */
  static int scaleFor(int longSide) {
    return Math.max(TEXT_SCALE, Math.round(longSide / (float) PIXELS_PER_SCALE));
  }

  /**
   * The first of the texts (longest first) whose label fits a panel width pixels wide, else the
   * last; a label drawn on the panel's own picture is clipped to it, never spilling over others.
   */
  static String fitting(int width, int scale, String... texts) {
    for (String t : texts) {
      if (fits(width, scale, t)) {
        return t;
      }
    }
    return texts[texts.length - 1];
  }

  /** Whether a label of this text fits a panel width pixels wide. */
  static boolean fits(int width, int scale, String text) {
    return PixelFont.width(text, scale) + 2 * (INSET + PAD) * grow(scale) <= width;
  }

  /** Writes text on a half-transparent dark box in the top-left corner of a panel at (x, y). */
  static void label(Picture p, String text, int x, int y, int scale) {
    int grow = grow(scale);
    int bx = x + INSET * grow;
    int by = y + INSET * grow;
    int pad = PAD * grow;
    p.shade(bx, by, PixelFont.width(text, scale) + 2 * pad,
        PixelFont.height(scale) + 2 * pad, 0x000000, 0.6);
    PixelFont.draw(p, text, bx + pad, by + pad, scale, TEXT);
  }

  /** Height of a line of text under a figure's panels (the display note). */
  static int footerHeight(int scale) {
    return PixelFont.height(scale) + 2 * PAD * grow(scale);
  }

  /** The display note on the line under the panels, starting at x; top of the line at y. */
  static void footer(Picture p, String text, int x, int y, int scale) {
    PixelFont.draw(p, text, x, y + PAD * grow(scale), scale, 0xB0B0B0);
  }

  /**
   * The room a corner label may take on a panel {@code width} pixels wide that carries edge
   * letters: up to the top letter, which sits in the middle of the top edge.
   */
  static int cornerRoom(int width, int scale, boolean letters) {
    if (!letters) {
      return width;
    }
    return width / 2 - (PixelFont.width("M", scale) + 2 * PAD * grow(scale)) / 2 - INSET * grow(scale);
  }

  /**
   * The orientation letters on the middle of a panel's four edges (radiologists read the
   * panel by them), each on a small dark box so it shows on any background.
   */
  static void edgeLetters(Picture p, Display.Edges e, int scale) {
    int grow = grow(scale);
    int pad = PAD * grow;
    int inset = INSET * grow;
    int boxW = PixelFont.width("M", scale) + 2 * pad;
    int boxH = PixelFont.height(scale) + 2 * pad;
    letter(p, e.top(), (p.width - boxW) / 2, inset, scale);
    letter(p, e.bottom(), (p.width - boxW) / 2, p.height - inset - boxH, scale);
    letter(p, e.left(), inset, (p.height - boxH) / 2, scale);
    letter(p, e.right(), p.width - inset - boxW, (p.height - boxH) / 2, scale);
  }

  private static void letter(Picture p, char c, int x, int y, int scale) {
    int pad = PAD * grow(scale);
    String text = String.valueOf(c);
    int boxW = PixelFont.width("M", scale) + 2 * pad;
    p.shade(x, y, boxW, PixelFont.height(scale) + 2 * pad, 0x000000, 0.6);
    PixelFont.draw(p, text, x + (boxW - PixelFont.width(text, scale)) / 2, y + pad, scale, TEXT);
  }

  /** Width a colorbar with its tick labels takes at this font scale. */
  static int colorbarWidth(int scale) {
    int text = 0;
    for (String t : TICKS) {
      text = Math.max(text, PixelFont.width(t, scale));
    }
    int grow = grow(scale);
    return Math.max((BAR_W + 1 + TICK + TICK_GAP) * grow + text, PixelFont.width("cam", scale));
  }

  /**
   * A vertical colorbar (1 at the top, 0 at the bottom) titled "cam", with its top-left corner
   * at (x, y) and no taller than height pixels including title and tick labels.
   */
  static void colorbar(Picture p, Colormap map, int x, int y, int height, int scale) {
    int grow = grow(scale);
    int barW = BAR_W * grow;
    int tick = TICK * grow;
    int textH = PixelFont.height(scale);
    PixelFont.draw(p, "cam", x, y, scale, TEXT);
    int top = y + textH + 8 * grow;
    int barH = Math.max(2, Math.min(MAX_BAR_H * grow, y + height - top - textH / 2));
    int[] ramp = map.colorbar(barH);
    for (int r = 0; r < barH; r++) {
      p.fill(x, top + r, barW, 1, ramp[r]);
    }
    outlineBox(p, x - 1, top - 1, barW + 2, barH + 2, 0x909090);
    for (int i = 0; i < TICKS.length; i++) {
      int ty = top + (int) Math.round(i * (barH - 1) / (TICKS.length - 1.0));
      p.fill(x + barW + 1, ty, tick, grow, TEXT);
      int textX = x + barW + 1 + tick + TICK_GAP * grow;
      PixelFont.draw(p, TICKS[i], textX, ty - textH / 2 + 2 * grow, scale, TEXT);
    }
  }

  /** How much bars, ticks and paddings grow with the font (1 at the base scale). */
  private static int grow(int scale) {
    return Math.max(1, Math.round(scale / (float) TEXT_SCALE));
  }

  private static void outlineBox(Picture p, int x, int y, int w, int h, int color) {
    p.fill(x, y, w, 1, color);
    p.fill(x, y + h - 1, w, 1, color);
    p.fill(x, y, 1, h, color);
    p.fill(x + w - 1, y, 1, h, color);
  }
}
