package gradcam3d.render;

import java.util.HashMap;
import java.util.Map;

/**
 * A tiny built-in 5x9 bitmap font (7 rows above the baseline, 2 for descenders) for panel labels
 * and colorbar ticks. AWT text needs system fonts, which headless servers and slim containers
 * often lack; a bitmap font always works and renders the same everywhere. Upper case is drawn as
 * lower case; unknown characters as '?'.
 */
final class PixelFont {
  static final int GLYPH_W = 5;
  static final int GLYPH_H = 9;
  private static final int ADVANCE = GLYPH_W + 1;
  private static final Map<Character, boolean[][]> GLYPHS = new HashMap<>();

  static {
    glyph('0', ".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###.");
    glyph('1', "..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###.");
    glyph('2', ".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####");
    glyph('3', "#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###.");
    glyph('4', "...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#.");
    glyph('5', "#####", "#....", "####.", "....#", "....#", "#...#", ".###.");
    glyph('6', "..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###.");
    glyph('7', "#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#...");
    glyph('8', ".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###.");
    glyph('9', ".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##..");
    glyph('a', ".....", ".....", ".###.", "....#", ".####", "#...#", ".####");
    glyph('b', "#....", "#....", "#.##.", "##..#", "#...#", "#...#", "####.");
    glyph('c', ".....", ".....", ".###.", "#....", "#....", "#...#", ".###.");
    glyph('d', "....#", "....#", ".##.#", "#..##", "#...#", "#...#", ".####");
    glyph('e', ".....", ".....", ".###.", "#...#", "#####", "#....", ".###.");
    glyph('f', "..##.", ".#..#", ".#...", "###..", ".#...", ".#...", ".#...");
    glyph('g', ".....", ".....", ".####", "#...#", "#...#", "#...#", ".####", "....#", ".###.");
    glyph('h', "#....", "#....", "#.##.", "##..#", "#...#", "#...#", "#...#");
    glyph('i', "..#..", ".....", ".##..", "..#..", "..#..", "..#..", ".###.");
    glyph('j', "...#.", ".....", "..##.", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##..");
    glyph('k', "#....", "#....", "#..#.", "#.#..", "##...", "#.#..", "#..#.");
    glyph('l', ".##..", "..#..", "..#..", "..#..", "..#..", "..#..", ".###.");
    glyph('m', ".....", ".....", "##.#.", "#.#.#", "#.#.#", "#.#.#", "#.#.#");
    glyph('n', ".....", ".....", "#.##.", "##..#", "#...#", "#...#", "#...#");
    glyph('o', ".....", ".....", ".###.", "#...#", "#...#", "#...#", ".###.");
    glyph('p', ".....", ".....", "####.", "#...#", "#...#", "#...#", "####.", "#....", "#....");
    glyph('q', ".....", ".....", ".####", "#...#", "#...#", "#...#", ".####", "....#", "....#");
    glyph('r', ".....", ".....", "#.##.", "##..#", "#....", "#....", "#....");
    glyph('s', ".....", ".....", ".####", "#....", ".###.", "....#", "####.");
    glyph('t', ".#...", ".#...", "###..", ".#...", ".#...", ".#..#", "..##.");
    glyph('u', ".....", ".....", "#...#", "#...#", "#...#", "#..##", ".##.#");
    glyph('v', ".....", ".....", "#...#", "#...#", "#...#", ".#.#.", "..#..");
    glyph('w', ".....", ".....", "#...#", "#...#", "#.#.#", "#.#.#", ".#.#.");
    glyph('x', ".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#");
    glyph('y', ".....", ".....", "#...#", "#...#", "#...#", "#...#", ".####", "....#", ".###.");
    glyph('z', ".....", ".....", "#####", "...#.", "..#..", ".#...", "#####");
    glyph('=', ".....", ".....", "#####", ".....", "#####", ".....", ".....");
    glyph('.', ".....", ".....", ".....", ".....", ".....", ".##..", ".##..");
    glyph(',', ".....", ".....", ".....", ".....", ".....", ".##..", ".##..", "..#..", ".#...");
    glyph(':', ".....", ".##..", ".##..", ".....", ".##..", ".##..", ".....");
    glyph('-', ".....", ".....", ".....", ".###.", ".....", ".....", ".....");
    glyph('+', ".....", "..#..", "..#..", "#####", "..#..", "..#..", ".....");
    glyph('/', "....#", "....#", "...#.", "..#..", ".#...", "#....", "#....");
    glyph('(', "...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#.");
    glyph(')', ".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#...");
    glyph('_', ".....", ".....", ".....", ".....", ".....", ".....", "#####");
    glyph('?', ".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#..");
    glyph(' ', ".....", ".....", ".....", ".....", ".....", ".....", ".....");
  }

  private PixelFont() {}

  static int width(String text, int scale) {
    return text.isEmpty() ? 0 : (text.length() * ADVANCE - 1) * scale;
  }

  static int height(int scale) {
    return GLYPH_H * scale;
  }

  /** Whether the glyph pixel (col, row) of the text's bitmap at scale 1 is set. */
  static boolean isSet(String text, int col, int row) {
    int i = col / ADVANCE;
    int c = col % ADVANCE;
    if (i >= text.length() || c >= GLYPH_W || row < 0 || row >= GLYPH_H) {
      return false;
    }
    return glyphOf(text.charAt(i))[row][c];
  }

  /** Draws text with its top-left corner at (x, y), each font pixel a scale x scale block. */
  static void draw(Picture p, String text, int x, int y, int scale, int color) {
    for (int row = 0; row < GLYPH_H; row++) {
      for (int col = 0; col < width(text, 1); col++) {
        if (isSet(text, col, row)) {
          p.fill(x + col * scale, y + row * scale, scale, scale, color);
        }
      }
    }
  }

  private static boolean[][] glyphOf(char ch) {
    boolean[][] g = GLYPHS.get(Character.toLowerCase(ch));
    return g != null ? g : GLYPHS.get('?');
  }

  private static void glyph(char ch, String... rows) {
    boolean[][] g = new boolean[GLYPH_H][GLYPH_W];
    for (int r = 0; r < rows.length; r++) {
      for (int c = 0; c < GLYPH_W; c++) {
        g[r][c] = rows[r].charAt(c) == '#';
      }
    }
    GLYPHS.put(ch, g);
  }
}
