package gradcam3d.render;

/**
 * Draws one slice: the scan in gray, the CAM blended on top in colour, and, when the contour
 * rule decides so ({@link ContourDecision}), a thin outline of the target region: opaque under
 * the rule always, half-transparent under auto so the map shows through. Voxels are enlarged
 * with nearest-neighbour sampling so they stay crisp; row 0 of the slice is the top row of the
 * picture (see {@link Plane}).
 */
final class SliceRenderer {
  /** Pure green: stands out on gray and on the warm colours where a CAM is high. */
  static final int CONTOUR_RGB = 0x00FF00;
  /**
   * CAM values from 1/GAIN up get the full opacity; below, the opacity fades linearly to none at
   * 0, so the scan shows through where the CAM is low.
   */
  static final double ALPHA_GAIN = 1.5;
  /** Opacity of the outline under the rule auto. */
  static final double AUTO_CONTOUR_ALPHA = 0.6;
  /** Panels at least this many pixels on their longer side get a 2-pixel outline. */
  static final int WIDE_PANEL = 1000;

  private final Voxels v;
  private final GrayWindow window;
  private final RenderOptions options;
  private final boolean outline;

  SliceRenderer(Voxels v, GrayWindow window, RenderOptions options) {
    this(v, window, options, ContourDecision.decide(v, options.contour()).drawn());
  }

  /** With the contour decision made beforehand (it is independent of the gray window). */
  SliceRenderer(Voxels v, GrayWindow window, RenderOptions options, boolean outline) {
    this.v = v;
    this.window = window;
    this.options = options;
    this.outline = outline;
  }

  Picture render(Plane plane, int slice, int width, int height) {
    Picture p = new Picture(width, height);
    renderInto(p, plane, slice);
    return p;
  }

  /** Draws the slice over the whole of {@code p} (a picture, or a figure's window for it). */
  void renderInto(Picture p, Plane plane, int slice) {
    int width = p.width;
    int height = p.height;
    int[] rowOf = nearest(height, plane.rows(v));
    int[] colOf = nearest(width, plane.cols(v));
    // the runs of pixels in a row that show one voxel column: [start[j], start[j + 1])
    int[] start = new int[width + 1];
    int runs = 0;
    for (int px = 0; px < width; px++) {
      if (px == 0 || colOf[px] != colOf[px - 1]) {
        start[runs++] = px;
      }
    }
    start[runs] = width;
    int[] rgb = p.rgb;
    // whether each pixel shows a voxel of the target region (row by row, width apart), and each
    // row any, for the outline
    boolean[] in = outline ? new boolean[width * height] : null;
    boolean[] rowIn = new boolean[height];
    // a voxel's colour once per run of pixels that show it: a row repeats the row above when
    // both show the same voxel row, a pixel the one to its left when both show the same voxel
    for (int py = 0, k = p.offset, m = 0; py < height; py++, k += p.stride, m += width) {
      if (py > 0 && rowOf[py] == rowOf[py - 1]) {
        System.arraycopy(rgb, k - p.stride, rgb, k, width);
        if (in != null) {
          System.arraycopy(in, m - width, in, m, width);
        }
        rowIn[py] = rowIn[py - 1];
        continue;
      }
      int row = rowOf[py];
      for (int j = 0; j < runs; j++) {
        int voxel = plane.index(v, slice, row, colOf[start[j]]);
        int c = color(voxel);
        for (int q = k + start[j], end = k + start[j + 1]; q < end; q++) {
          rgb[q] = c;
        }
        if (in != null && v.inside(voxel)) {
          for (int q = m + start[j], end = m + start[j + 1]; q < end; q++) {
            in[q] = true;
          }
          rowIn[py] = true;
        }
      }
    }
    if (outline) {
      outline(p, in, rowIn, start, runs, options.contour() == ContourRule.ALWAYS ? 1 : AUTO_CONTOUR_ALPHA);
    }
  }

  /** Gray scan value with the CAM colour blended over it. */
  int color(int voxel) {
    int gray = window.level(v.image[voxel]) * 0x010101;
    float c = v.cam[voxel];
    // Math's clamps in plain comparisons (see GrayWindow.level): where they differ, on -0.0,
    // the opacity is no more than 0 either way
    double cam = Float.isNaN(c) ? 0 : c < 0 ? 0 : c > 1 ? 1 : c;
    double gained = cam * ALPHA_GAIN;
    double alpha = options.opacity() * (gained > 1 ? 1 : gained);
    if (alpha <= 0) {
      // what Picture.blend gives for no opacity, without the colormap's lookup (a map is zero in
      // most voxels of a typical scan: 94% of the demo's)
      return gray;
    }
    return Picture.blend(gray, options.colormap().rgb(cam), alpha);
  }

  /**
   * Marks picture pixels inside the mask that are within the line width of a pixel outside it
   * (or of the picture's edge), left, right, above or below: a line just inside the region's
   * boundary, 1 pixel wide, 2 on panels of {@value #WIDE_PANEL} pixels and more so that it stays
   * visible when a large figure is viewed whole.
   *
   * <p>Run by run of pixels that show one voxel ([start[j], start[j + 1]), as drawn): the pixels
   * above and below a run show one voxel each, so the whole run is marked or not by them alike;
   * to the left and right only its first and last line pixels can see another voxel or the edge.
   */
  private static void outline(Picture p, boolean[] in, boolean[] rowIn, int[] start, int runs, double alpha) {
    int w = p.width;
    int h = p.height;
    int line = Math.max(w, h) >= WIDE_PANEL ? 2 : 1;
    int[] rgb = p.rgb;
    for (int y = 0; y < h; y++) {
      if (!rowIn[y]) {
        continue; // only pixels inside are marked
      }
      boolean rowAway = y >= line && y < h - line;
      int row = y * w;
      int q0 = p.index(0, y);
      for (int j = 0; j < runs; j++) {
        int a = start[j];
        int b = start[j + 1];
        if (!in[row + a]) {
          continue; // a run shows one voxel: all inside or all outside
        }
        // the pixels up to line above and below, inside (and the edges that far away)
        boolean vertical = rowAway;
        for (int d = 1; vertical && d <= line; d++) {
          vertical = in[row + a - d * w] && in[row + a + d * w];
        }
        if (!vertical) {
          for (int x = a; x < b; x++) {
            rgb[q0 + x] = Picture.blend(rgb[q0 + x], CONTOUR_RGB, alpha);
          }
          continue;
        }
        // left and right: the first and the last line pixels of the run (the others see only it)
        int headEnd = Math.min(b, a + line);
        for (int x = a; x < b; x = x + 1 == headEnd ? Math.max(headEnd, b - line) : x + 1) {
          boolean inner = x >= line && x < w - line;
          for (int d = 1; inner && d <= line; d++) {
            inner = in[row + x - d] && in[row + x + d];
          }
          if (!inner) {
            rgb[q0 + x] = Picture.blend(rgb[q0 + x], CONTOUR_RGB, alpha);
          }
        }
      }
    }
  }

  /** For each of n pixels, the voxel (of count) whose extent holds the pixel centre. */
  private static int[] nearest(int n, int count) {
    int[] map = new int[n];
    for (int i = 0; i < n; i++) {
      map[i] = Math.min(count - 1, (int) ((i + 0.5) * count / n));
    }
    return map;
  }
}
