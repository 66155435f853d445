package gradcam3d.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gradcam3d.tensor.FloatTensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlendingTest {
  @TempDir Path tmp;

  /** A 10x10 image with values 0..99 and a CAM that is 0 except for a few chosen voxels. */
  private static final int N = 10;

  @Test
  void windowIsThe1stTo99thPercentile() {
    GrayWindow w = GrayWindow.robust(ramp().data());
    assertEquals(0.99, w.lo(), 1e-6);
    assertEquals(98.01, w.hi(), 1e-6);
    assertEquals(0, w.level(0));
    assertEquals(255, w.level(99));
    assertEquals(expectedGray(50), w.level(50));
  }

  @Test
  void oneHotVoxelDoesNotWashOutTheWindow() {
    float[] v = new float[1000];
    for (int i = 0; i < v.length; i++) {
      v[i] = i;
    }
    v[500] = 1e6f;
    GrayWindow w = GrayWindow.robust(v);
    // sorted: 0..499, 501..999, 1e6; the 99th percentile lands at rank 989.01
    assertEquals(9.99, w.lo(), 1e-6);
    assertEquals(990.01, w.hi(), 1e-6);
    assertEquals(64, w.level(255)); // (255 - 9.99) / 980.02 * 255 = 63.75
  }

  @Test
  void constantImageIsMidGray() {
    assertEquals(128, GrayWindow.robust(new float[] {5, 5, 5}).level(5));
  }

  @Test
  void camZeroShowsTheScanAndCamOneAtFullOpacityShowsTheColormap() {
    float[] cam = new float[N * N];
    cam[idx(5, 5)] = 1;
    cam[idx(6, 6)] = 0.5f;
    RenderOptions full = RenderOptions.defaults().withColormap(Colormap.VIRIDIS).withOpacity(1);
    SliceRenderer r = renderer(cam, full);
    int gray = expectedGray(idx(4, 4));
    assertEquals(gray * 0x010101, r.color(idx(4, 4)));
    assertEquals(Colormap.VIRIDIS.rgb(1), r.color(idx(5, 5)));
    // cam 0.5 at opacity 1: alpha = min(1, 0.5 * 1.5) = 0.75
    assertEquals(Picture.blend(expectedGray(idx(6, 6)) * 0x010101, Colormap.VIRIDIS.rgb(0.5),
        0.75), r.color(idx(6, 6)));
    // the default opacity leaves 55% of the scan even at the peak
    SliceRenderer d = renderer(cam, RenderOptions.defaults().withColormap(Colormap.VIRIDIS));
    assertEquals(Picture.blend(expectedGray(idx(5, 5)) * 0x010101, Colormap.VIRIDIS.rgb(1),
        0.45), d.color(idx(5, 5)));
  }

  @Test
  void writtenPngHoldsTheBlendedPixels() throws Exception {
    float[] cam = new float[N * N];
    cam[idx(5, 5)] = 1;
    RenderOptions o = RenderOptions.defaults().withColormap(Colormap.INFERNO).withOpacity(1);
    Path png = tmp.resolve("o.png");
    FigureFiles.writeOverlay(ramp(), new FloatTensor(cam, N, N), null, new double[] {1, 1}, o, png);
    BufferedImage img = ImageIO.read(png.toFile());
    // 10 voxels -> 26 px each: the shortest side reaches 256 with whole pixels per voxel
    int px = 26;
    assertEquals(expectedGray(idx(4, 7)) * 0x010101, pixelOfVoxel(img, px, 4, 7));
    assertEquals(Colormap.INFERNO.rgb(1), pixelOfVoxel(img, px, 5, 5));
  }

  private static int pixelOfVoxel(BufferedImage img, int px, int y, int x) {
    return img.getRGB(OverlayFigure.MARGIN + x * px + px / 2,
        OverlayFigure.MARGIN + y * px + px / 2) & 0xFFFFFF;
  }

  private static SliceRenderer renderer(float[] cam, RenderOptions o) {
    Voxels v = Voxels.of(ramp(), new FloatTensor(cam, N, N), null, null);
    return new SliceRenderer(v, GrayWindow.robust(v.image), o);
  }

  private static FloatTensor ramp() {
    float[] d = new float[N * N];
    for (int i = 0; i < d.length; i++) {
      d[i] = i;
    }
    return new FloatTensor(d, N, N);
  }

  private static int idx(int y, int x) {
    return y * N + x;
  }

  /** Gray of value v (= its index in the ramp) in the window 0.99..98.01, computed by hand. */
  private static int expectedGray(double v) {
    return (int) Math.round(Math.max(0, Math.min(1, (v - 0.99) / (98.01 - 0.99))) * 255);
  }
}
