package gradcam3d.render;

/**
 * A plain RGB pixel buffer (0xRRGGBB, row-major, row 0 at the top) that figures are built on,
 * or a rectangle of another one ({@link #window}): pixel (x, y) is {@code rgb[offset + y * stride
 * + x]}, and drawing is clipped to the rectangle.
 */
final class Picture {
  final int width;
  final int height;
  final int[] rgb;
  /** Where pixel (0, 0) is in {@link #rgb}. */
  final int offset;
  /** The distance in {@link #rgb} from a pixel to the one below it. */
  final int stride;

  Picture(int width, int height) {
    this.width = width;
    this.height = height;
    this.rgb = new int[Math.multiplyExact(width, height)];
    this.offset = 0;
    this.stride = width;
  }

  private Picture(Picture whole, int x, int y, int width, int height) {
    this.width = width;
    this.height = height;
    this.rgb = whole.rgb;
    this.offset = whole.offset + y * whole.stride + x;
    this.stride = whole.stride;
  }

  /**
   * The rectangle of this picture with its top-left corner at (x, y), drawn on in place: a
   * figure's panels and tiles are drawn straight into the figure (what drawing them apart and
   * pasting them gives, without a copy), each clipped to its own rectangle. Rectangles that do not
   * overlap may be drawn on by different threads.
   */
  Picture window(int x, int y, int width, int height) {
    if (x < 0 || y < 0 || width < 0 || height < 0 || x + width > this.width || y + height > this.height) {
      throw new IllegalArgumentException("a window " + width + "x" + height + " at (" + x + ", " + y
          + ") is not inside a picture of " + this.width + "x" + this.height);
    }
    return new Picture(this, x, y, width, height);
  }

  /** Whether the picture is its whole buffer, row after row (not a window of a wider one). */
  boolean compact() {
    return offset == 0 && stride == width && rgb.length == width * height;
  }

  /** The buffer index of pixel (x, y). */
  int index(int x, int y) {
    return offset + y * stride + x;
  }

  int get(int x, int y) {
    return rgb[index(x, y)];
  }

  void set(int x, int y, int color) {
    if (x >= 0 && y >= 0 && x < width && y < height) {
      rgb[index(x, y)] = color;
    }
  }

  /** Columns [from, to) of rows [top, bottom). */
  private record Rect(int from, int to, int top, int bottom) {}

  /** The rectangle clipped to the picture, or null if nothing of it is inside. */
  private Rect clipped(int x, int y, int w, int h) {
    Rect r = new Rect(Math.max(0, x), Math.min(width, x + w), Math.max(0, y), Math.min(height, y + h));
    return r.from() >= r.to() || r.top() >= r.bottom() ? null : r;
  }

  /** Fills a rectangle, clipped to the picture. */
  void fill(int x, int y, int w, int h, int color) {
    Rect r = clipped(x, y, w, h);
    if (r == null) {
      return;
    }
    if (r.from() == 0 && r.to() == width && stride == width) {
      // whole rows are one run (a figure's background: the whole picture)
      fill(rgb, index(0, r.top()), index(0, r.bottom()), color);
      return;
    }
    int first = index(r.from(), r.top());
    int n = r.to() - r.from();
    fill(rgb, first, first + n, color);
    for (int yy = r.top() + 1; yy < r.bottom(); yy++) {
      System.arraycopy(rgb, first, rgb, index(r.from(), yy), n);
    }
  }

  /**
   * Arrays.fill's result by doubling copies of the filled start: the launcher's client compiler
   * keeps Arrays.fill a loop of single stores, about ten times slower than the copies on a
   * figure's background (a million pixels).
   */
  static void fill(int[] a, int from, int to, int color) {
    int n = to - from;
    if (n < 32) {
      for (int i = from; i < to; i++) {
        a[i] = color;
      }
      return;
    }
    a[from] = color;
    for (int done = 1; done < n; done += Math.min(done, n - done)) {
      System.arraycopy(a, from, a, from + done, Math.min(done, n - done));
    }
  }

  /** Blends a colour over a rectangle with the given alpha, e.g. a dark box behind text. */
  void shade(int x, int y, int w, int h, int color, double alpha) {
    Rect r = clipped(x, y, w, h);
    if (r == null) {
      return;
    }
    if (alpha <= 0 || alpha >= 1) {
      for (int yy = r.top(); yy < r.bottom(); yy++) {
        for (int k = index(r.from(), yy), end = index(r.to(), yy); k < end; k++) {
          rgb[k] = blend(rgb[k], color, alpha);
        }
      }
      return;
    }
    Shading s = Shading.of(color, alpha);
    int[] red = s.red;
    int[] green = s.green;
    int[] blue = s.blue;
    for (int yy = r.top(); yy < r.bottom(); yy++) {
      for (int k = index(r.from(), yy), end = index(r.to(), yy); k < end; k++) {
        int under = rgb[k];
        rgb[k] = (red[(under >> 16) & 0xFF] << 16) | (green[(under >> 8) & 0xFF] << 8) | blue[under & 0xFF];
      }
    }
  }

  /**
   * {@link #blend} of a colour at an opacity as three tables, each channel's mix for the 256
   * levels under it: a label box has thousands of pixels, each of whose three channels would
   * round a mix of doubles. Every figure shades with one colour and opacity: the last tables
   * made are kept (immutable, so any thread may use them).
   */
  private static final class Shading {
    private static volatile Shading last;

    final int color;
    final double alpha;
    final int[] red;
    final int[] green;
    final int[] blue;

    private Shading(int color, double alpha) {
      this.color = color;
      this.alpha = alpha;
      this.red = mixes(color >> 16, alpha);
      this.green = mixes(color >> 8, alpha);
      this.blue = mixes(color, alpha);
    }

    static Shading of(int color, double alpha) {
      Shading s = last;
      if (s == null || s.color != color || Double.compare(s.alpha, alpha) != 0) {
        s = new Shading(color, alpha);
        last = s;
      }
      return s;
    }

    /** mix(a, over, alpha) for every level a of a channel. */
    private static int[] mixes(int over, double alpha) {
      int[] m = new int[256];
      for (int a = 0; a < 256; a++) {
        m[a] = mix(a, over, alpha);
      }
      return m;
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
      System.arraycopy(src.rgb, src.index(from, yy), rgb, index(x + from, y + yy), to - from);
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
