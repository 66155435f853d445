package gradcam3d.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The drawing shortcuts against the direct computations they replace, pixel for pixel: fills by
 * doubling copies against a store per pixel, label boxes shaded through cached channel tables
 * against {@link Picture#blend} per pixel (two colours and opacities in turn, and from several
 * threads at once), text drawn glyph by glyph against {@link PixelFont#isSet} per font pixel, kept
 * colorbars against the colormap row by row, and
 * slices drawn run by run straight into a figure's windows against a colour and an outline test
 * per pixel on a picture of their own, pasted.
 */
class DrawingShortcutsTest {
  private static final double[] ISO = {1, 1, 1};

  /** A picture of noise, so that every drawing shows against distinct pixels. */
  private static Picture noise(int w, int h, long seed) {
    Picture p = new Picture(w, h);
    Random r = new Random(seed);
    for (int i = 0; i < p.rgb.length; i++) {
      p.rgb[i] = r.nextInt(1 << 24);
    }
    return p;
  }

  private static Picture copy(Picture p) {
    Picture c = new Picture(p.width, p.height);
    System.arraycopy(p.rgb, 0, c.rgb, 0, p.rgb.length);
    return c;
  }

  /** Fill as one store per pixel of the clipped rectangle. */
  private static void fillByPixel(Picture p, int x, int y, int w, int h, int color) {
    for (int yy = y; yy < y + h; yy++) {
      for (int xx = x; xx < x + w; xx++) {
        p.set(xx, yy, color);
      }
    }
  }

  /** Shade as {@link Picture#blend} per pixel of the clipped rectangle. */
  private static void shadeByPixel(Picture p, int x, int y, int w, int h, int color, double alpha) {
    for (int yy = Math.max(0, y); yy < Math.min(p.height, y + h); yy++) {
      for (int xx = Math.max(0, x); xx < Math.min(p.width, x + w); xx++) {
        p.set(xx, yy, Picture.blend(p.get(xx, yy), color, alpha));
      }
    }
  }

  /** Text as a scale x scale block per set pixel of {@link PixelFont#isSet}. */
  private static void drawByFontPixel(Picture p, String text, int x, int y, int scale, int color) {
    for (int row = 0; row < PixelFont.GLYPH_H; row++) {
      for (int col = 0; col < PixelFont.width(text, 1); col++) {
        if (PixelFont.isSet(text, col, row)) {
          fillByPixel(p, x + col * scale, y + row * scale, scale, scale, color);
        }
      }
    }
  }

  @Test
  void fillsAndWindowFillsMatchAStorePerPixel() {
    Random r = new Random(3);
    for (int trial = 0; trial < 300; trial++) {
      int w = 1 + r.nextInt(90);
      int h = 1 + r.nextInt(60);
      Picture fast = noise(w, h, trial);
      Picture slow = copy(fast);
      // a window somewhere inside, or the whole picture
      int wx = r.nextInt(w);
      int wy = r.nextInt(h);
      Picture fastTarget = trial % 3 == 0 ? fast : fast.window(wx, wy, r.nextInt(w - wx + 1), r.nextInt(h - wy + 1));
      int x = r.nextInt(2 * w + 10) - w - 5;
      int y = r.nextInt(2 * h + 10) - h - 5;
      int rw = r.nextInt(2 * w + 40);
      int rh = r.nextInt(2 * h + 4);
      int color = r.nextInt(1 << 24);
      fastTarget.fill(x, y, rw, rh, color);
      // the same rectangle clipped to the window, as a picture of the window's size would clip it
      int ox = fastTarget.offset % fast.width;
      int oy = fastTarget.offset / fast.width;
      int x0 = Math.max(x, 0);
      int y0 = Math.max(y, 0);
      int x1 = Math.min(x + rw, fastTarget.width);
      int y1 = Math.min(y + rh, fastTarget.height);
      if (x1 > x0 && y1 > y0) {
        fillByPixel(slow, ox + x0, oy + y0, x1 - x0, y1 - y0, color);
      }
      assertArrayEquals(slow.rgb, fast.rgb, "trial " + trial);
    }
  }

  @Test
  void wholePictureFillsOfEverySizeMatchArraysFill() {
    for (int n = 0; n < 300; n++) {
      int[] fast = new int[n + 7];
      int[] slow = new int[n + 7];
      Picture.fill(fast, 3, 3 + n, 0x123456 + n);
      java.util.Arrays.fill(slow, 3, 3 + n, 0x123456 + n);
      assertArrayEquals(slow, fast, "n " + n);
    }
  }

  @Test
  void shadedBoxesMatchABlendPerPixelWhateverColourCameBefore() {
    Random r = new Random(5);
    int[] colors = {0x000000, 0x00FF00, 0x8040C0};
    double[] alphas = {0.6, 0.25, 0, 1, 0.6};
    for (int trial = 0; trial < 60; trial++) {
      Picture fast = noise(70, 40, trial);
      Picture slow = copy(fast);
      int color = colors[trial % colors.length];
      double alpha = alphas[trial % alphas.length];
      int x = r.nextInt(80) - 10;
      int y = r.nextInt(50) - 10;
      int w = r.nextInt(60);
      int h = r.nextInt(30);
      fast.shade(x, y, w, h, color, alpha);
      shadeByPixel(slow, x, y, w, h, color, alpha);
      assertArrayEquals(slow.rgb, fast.rgb, "trial " + trial);
    }
  }

  @Test
  void shadingFromSeveralThreadsAtOnceMatchesABlendPerPixel() throws Exception {
    // the kept tables are shared: threads shading with different colours and opacities in turn
    // must each get their own colour's mix
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        done.add(pool.submit((Callable<Boolean>) () -> {
          for (int i = 0; i < 200; i++) {
            int color = (thread + i) % 2 == 0 ? 0x000000 : 0x3366FF;
            double alpha = (thread + i) % 3 == 0 ? 0.6 : 0.35;
            Picture fast = noise(24, 12, thread * 1000L + i);
            Picture slow = copy(fast);
            fast.shade(2, 1, 20, 10, color, alpha);
            shadeByPixel(slow, 2, 1, 20, 10, color, alpha);
            assertArrayEquals(slow.rgb, fast.rgb, "thread " + thread + ", shade " + i);
          }
          return true;
        }));
      }
      for (Future<Boolean> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void textDrawnGlyphByGlyphMatchesTheFontPixels() {
    String[] texts = {"axial S 36.0mm", "z=12 (x) ?~", "cam", "-0.5", "", "Wq,j_/"};
    for (int scale = 1; scale <= 3; scale++) {
      for (String t : texts) {
        for (int[] at : new int[][] {{3, 2}, {-7, -5}, {50, 20}}) {
          Picture fast = noise(90, 40, t.length() * 7L + scale);
          Picture slow = copy(fast);
          PixelFont.draw(fast, t, at[0], at[1], scale, 0xFFFFFF);
          drawByFontPixel(slow, t, at[0], at[1], scale, 0xFFFFFF);
          assertArrayEquals(slow.rgb, fast.rgb, "'" + t + "' at scale " + scale);
        }
      }
    }
  }

  @Test
  void keptColorbarsMatchTheColormapRowByRow() throws Exception {
    // heights of figures of different sizes, more than are kept, again and again, from threads
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        done.add(pool.submit((Callable<Boolean>) () -> {
          for (int i = 0; i < 60; i++) {
            Colormap map = (thread + i) % 2 == 0 ? Colormap.JET : Colormap.VIRIDIS;
            int n = 2 + (i * 37 + thread * 11) % 40 * 13;
            int[] ramp = map.colorbar(n);
            assertEquals(n, ramp.length);
            for (int r = 0; r < n; r++) {
              assertEquals(map.rgb(1 - r / (n - 1.0)), ramp[r], map + " " + n + " row " + r);
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aWindowMustLieInsideItsPicture() {
    Picture p = new Picture(10, 8);
    assertThrows(IllegalArgumentException.class, () -> p.window(5, 0, 6, 2));
    assertThrows(IllegalArgumentException.class, () -> p.window(-1, 0, 2, 2));
    assertThrows(IllegalArgumentException.class, () -> PngFiles.encode(p.window(1, 1, 3, 3)));
  }

  /**
   * Slices drawn straight into windows of a figure, with their labels and edge letters, against
   * each drawn on a picture of its own by a colour per pixel and the outline's neighbour test
   * per pixel, then labelled and pasted: two volumes and four panel sizes (enlarged, reduced, and
   * 1000 pixels and more, where the outline is 2 pixels wide), under each contour rule.
   */
  @Test
  void slicesDrawnIntoWindowsMatchPanelsDrawnPerPixelAndPasted() {
    List<Voxels> volumes = List.of(volume(20, 24, 30, 11), volume(9, 70, 50, 12));
    int[][] sizes = {{96, 120}, {37, 23}, {1003, 640}, {150, 1010}};
    Display.Edges edges = new Display.Edges('A', 'P', 'R', 'L');
    for (Voxels v : volumes) {
      assertTrue(ContourDecision.decide(v, ContourRule.AUTO).drawn(), "the outline is drawn under auto too");
      GrayWindow window = GrayWindow.robust(v.image);
      for (ContourRule rule : ContourRule.values()) {
        RenderOptions o = RenderOptions.defaults().withContour(rule);
        boolean drawn = ContourDecision.decide(v, rule).drawn();
        SliceRenderer renderer = new SliceRenderer(v, window, o, drawn);
        for (int[] size : sizes) {
          for (Plane plane : Plane.values()) {
            if (Math.max(size[0], size[1]) >= SliceRenderer.WIDE_PANEL
                && (v != volumes.get(0) || plane != Plane.AXIAL || rule == ContourRule.NEVER)) {
              continue; // the 2-pixel outline on one volume's axial panels: large pictures are slow to check
            }
            int slice = plane.count(v) / 2;
            int x = 7;
            int y = 5;
            Picture figure = noise(size[0] + 20, size[1] + 11, size[0]);
            Picture expected = copy(figure);
            Picture panel = figure.window(x, y, size[0], size[1]);
            renderer.renderInto(panel, plane, slice);
            Annotations.label(panel, "axial S 36.0mm", 0, 0, 2);
            Annotations.edgeLetters(panel, edges, 2);

            Picture alone = renderPerPixel(v, renderer, plane, slice, size[0], size[1], drawn, rule);
            String what = plane + " " + size[0] + "x" + size[1] + " " + rule;
            // render() gives the same panel on a picture of its own
            assertArrayEquals(alone.rgb, renderer.render(plane, slice, size[0], size[1]).rgb, what);
            Annotations.label(alone, "axial S 36.0mm", 0, 0, 2);
            Annotations.edgeLetters(alone, edges, 2);
            expected.paste(alone, x, y);
            assertArrayEquals(expected.rgb, figure.rgb, what);
          }
        }
      }
    }
  }

  /** A phantom with a map peaking off-centre and a region a ball around the peak. */
  private static Voxels volume(int d, int h, int w, long seed) {
    FloatTensor image = Synthetic.phantom(d, h, w, ISO, new double[][] {{d / 2.0, h / 3.0, w / 2.0, 3}}, seed);
    double[] c = {d * 0.4, h * 0.45, w * 0.55};
    FloatTensor cam = Synthetic.volume(d, h, w, ISO, (z, y, x) -> Synthetic.gaussian(z, y, x, c, 3));
    FloatTensor mask = Synthetic.volume(d, h, w, ISO, (z, y, x) -> Synthetic.inBall(z, y, x, c, 3.5) ? 1 : 0);
    return Voxels.of(image, cam, mask, ISO);
  }

  /**
   * The slice as drawn before the shortcuts: each pixel the colour of the voxel whose extent holds
   * its centre, and the outline marking inside pixels within the line width of an outside pixel
   * or the edge.
   */
  private static Picture renderPerPixel(Voxels v, SliceRenderer renderer, Plane plane, int slice, int w, int h,
      boolean outline, ContourRule rule) {
    Picture p = new Picture(w, h);
    boolean[] in = new boolean[w * h];
    for (int py = 0; py < h; py++) {
      for (int px = 0; px < w; px++) {
        int row = Math.min(plane.rows(v) - 1, (int) ((py + 0.5) * plane.rows(v) / h));
        int col = Math.min(plane.cols(v) - 1, (int) ((px + 0.5) * plane.cols(v) / w));
        int voxel = plane.index(v, slice, row, col);
        p.rgb[py * w + px] = renderer.color(voxel);
        in[py * w + px] = v.inside(voxel);
      }
    }
    if (!outline) {
      return p;
    }
    double alpha = rule == ContourRule.ALWAYS ? 1 : SliceRenderer.AUTO_CONTOUR_ALPHA;
    int line = Math.max(w, h) >= SliceRenderer.WIDE_PANEL ? 2 : 1;
    int[] marked = p.rgb.clone();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (!in[y * w + x]) {
          continue;
        }
        boolean near = false;
        for (int d = 1; d <= line; d++) {
          near |= x - d < 0 || x + d >= w || y - d < 0 || y + d >= h || !in[y * w + x - d] || !in[y * w + x + d]
              || !in[(y - d) * w + x] || !in[(y + d) * w + x];
        }
        if (near) {
          marked[y * w + x] = Picture.blend(p.rgb[y * w + x], SliceRenderer.CONTOUR_RGB, alpha);
        }
      }
    }
    System.arraycopy(marked, 0, p.rgb, 0, marked.length);
    return p;
  }
}
