package gradcam3d.render;

/** A plain RGB pixel buffer (0xRRGGBB, row-major, row 0 at the top) that figures are built on. */
final class Picture {
  final int width;
  final int height;
  final int[] rgb;

  Picture(int width, int height) {
    this.width = width;
    this.height = height;
    this.rgb = new int[Math.multiplyExact(width, height)];
  }

  int get(int x, int y) {
    return rgb[y * width + x];
  }

  void set(int x, int y, int color) {
    if (x >= 0 && y >= 0 && x < width && y < height) {
      rgb[y * width + x] = color;
    }
  }

  /** Fills a rectangle, clipped to the picture. */
  void fill(int x, int y, int w, int h, int color) {
    int from = Math.max(0, x);
    int to = Math.min(width, x + w);
    if (from >= to) {
      return;
    }
    for (int yy = Math.max(0, y); yy < Math.min(height, y + h); yy++) {
      java.util.Arrays.fill(rgb, yy * width + from, yy * width + to, color);
    }
  }

  /** Blends a colour over a rectangle with the given alpha, e.g. a dark box behind text. */
  void shade(int x, int y, int w, int h, int color, double alpha) {
    for (int yy = Math.max(0, y); yy < Math.min(height, y + h); yy++) {
      for (int xx = Math.max(0, x); xx < Math.min(width, x + w); xx++) {
        rgb[yy * width + xx] = blend(rgb[yy * width + xx], color, alpha);
      }
    }
  }

  /** Copies another picture with its top-left corner at (x, y), clipped to this picture. */
  void paste(Picture src, int x, int y) {
    int from = Math.max(0, -x);
    int to = Math.min(src.width, width - x);
    if (from >= to) {
      return;
    }
    for (int yy = Math.max(0, -y); yy < Math.min(src.height, height - y); yy++) {
      System.arraycopy(src.rgb, yy * src.width + from, rgb, (y + yy) * width + x + from, to - from);
    }
  }

  /** (1 - alpha) * under + alpha * over, per channel, rounded. */
  static int blend(int under, int over, double alpha) {
    if (alpha <= 0) {
      return under;
    }
    if (alpha >= 1) {
      return over;
    }
    int r = mix(under >> 16, over >> 16, alpha);
    int g = mix(under >> 8, over >> 8, alpha);
    int b = mix(under, over, alpha);
    return (r << 16) | (g << 8) | b;
  }

  private static int mix(int a, int b, double alpha) {
    return (int) Math.round((a & 0xFF) * (1 - alpha) + (b & 0xFF) * alpha);
  }
}
