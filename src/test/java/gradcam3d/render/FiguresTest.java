package gradcam3d.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FiguresTest {
  @TempDir Path tmp;

  private static final double[] SP = {1.5, 1, 1};

  @Test
  void writeAllGivesOverlayAndMontageForAVolume() throws Exception {
    FloatTensor cam = blob(20, 24, 28);
    Path dir = tmp.resolve("out");
    RenderedFigures r = Figures.writeAll(FloatTensor.zeros(20, 24, 28), cam, null, SP,
        RenderOptions.defaults(), dir);
    assertEquals(new SlicePoint(10, 12, 14), r.slices());
    assertEquals(dir.resolve("overlay.png"), r.overlay());
    assertEquals(dir.resolve("montage.png"), r.montagePng());
    assertEquals(20, r.montage().slices().size());
    assertTrue(r.montage().slices().contains(10));
    assertEquals(List.of("montage.png", "overlay.png"), listing(dir));
    assertTrue(ImageIO.read(r.overlay().toFile()).getWidth() > 3 * 256);
  }

  @Test
  void twoDimensionalInputGetsOneOverlay() throws Exception {
    FloatTensor cam = blob(1, 24, 28).reshape(24, 28);
    RenderedFigures r = Figures.writeAll(FloatTensor.zeros(24, 28), cam, null,
        new double[] {0.5, 0.5}, RenderOptions.defaults(), tmp);
    assertEquals(new SlicePoint(0, 12, 14), r.slices());
    assertNull(r.montage());
    assertNull(r.montagePng());
    assertEquals(List.of("overlay.png"), listing(tmp));
  }

  @Test
  void leadingBatchAndChannelAxesAreDropped() {
    FloatTensor cam = blob(6, 8, 10);
    SlicePoint p = FigureFiles.writeOverlay(FloatTensor.zeros(1, 1, 6, 8, 10),
        cam.reshape(1, 1, 6, 8, 10), null, SP, RenderOptions.defaults(), tmp.resolve("o.png"));
    assertEquals(new SlicePoint(3, 4, 5), p);
  }

  @Test
  void replacesAnExistingFileAndLeavesNoTemporaryFiles() throws Exception {
    Path png = tmp.resolve("overlay.png");
    Files.writeString(png, "old");
    FigureFiles.writeOverlay(FloatTensor.zeros(6, 8, 10), blob(6, 8, 10), null, SP,
        RenderOptions.defaults(), png);
    assertTrue(ImageIO.read(png.toFile()).getWidth() > 0);
    assertEquals(List.of("overlay.png"), listing(tmp));
  }

  @Test
  void failedWriteLeavesNothingBehind() throws Exception {
    Path png = tmp.resolve("taken");
    Files.createDirectories(png.resolve("child")); // a non-empty folder where the PNG should go
    Gradcam3dException e = assertThrows(Gradcam3dException.class,
        () -> FigureFiles.writeOverlay(FloatTensor.zeros(6, 8, 10), blob(6, 8, 10), null, SP,
            RenderOptions.defaults(), png));
    // the reason comes from the OS (Linux: "is a directory"), not just the path again
    String prefix = "cannot write " + png + ": ";
    assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    assertTrue(e.getMessage().length() > prefix.length() + 5, e.getMessage());
    assertTrue(!e.getMessage().substring(prefix.length()).contains(png.toString()), e.getMessage());
    assertEquals(List.of("taken"), listing(tmp));
    assertEquals(List.of("child"), listing(png));
  }

  @Test
  void writtenPngIsReadableLikeAnyNewFile() throws Exception {
    Path png = tmp.resolve("o.png");
    Path probe = Files.createFile(tmp.resolve("probe"));
    FigureFiles.writeOverlay(FloatTensor.zeros(6, 8, 10), blob(6, 8, 10), null, SP,
        RenderOptions.defaults(), png);
    if (Files.getFileStore(png).supportsFileAttributeView("posix")) {
      assertEquals(Files.getPosixFilePermissions(probe), Files.getPosixFilePermissions(png));
    }
  }

  @Test
  void mismatchedInputsAreReportedClearly() throws IOException {
    FloatTensor img = FloatTensor.zeros(6, 8, 10);
    Path png = tmp.resolve("o.png");
    RenderOptions o = RenderOptions.defaults();
    assertEquals("the CAM has shape [6, 8, 9] but the image is [6, 8, 10] (Z, Y, X); "
        + "they must match.", assertThrows(Gradcam3dException.class, () -> FigureFiles.writeOverlay(
            img, FloatTensor.zeros(6, 8, 9), null, SP, o, png)).getMessage());
    assertEquals("the contour mask has shape [6, 8] but the image is [6, 8, 10] (Z, Y, X); "
        + "they must match.", assertThrows(Gradcam3dException.class, () -> FigureFiles.writeOverlay(
            img, img, FloatTensor.zeros(6, 8), SP, o, png)).getMessage());
    assertEquals("the spacing must give the voxel size along (Z, Y, X), or (Y, X) for a 2D image;"
        + " got [1.0, 1.0].", assertThrows(Gradcam3dException.class, () -> FigureFiles.writeOverlay(
            img, img, null, new double[] {1, 1}, o, png)).getMessage());
    assertEquals("voxel spacing must be positive, got [1.0, 0.0, 1.0].",
        assertThrows(Gradcam3dException.class, () -> FigureFiles.writeOverlay(
            img, img, null, new double[] {1, 0, 1}, o, png)).getMessage());
    assertEquals("the image has shape [2, 6, 8, 10]; expected a volume (Z, Y, X) or an image "
        + "(Y, X).", assertThrows(Gradcam3dException.class, () -> FigureFiles.writeOverlay(
            FloatTensor.zeros(2, 6, 8, 10), img, null, SP, o, png)).getMessage());
    assertEquals(List.of(), listing(tmp));
  }

  @Test
  void optionsAreValidated() {
    RenderOptions o = RenderOptions.defaults();
    assertThrows(Gradcam3dException.class, () -> o.withOpacity(1.5));
    assertThrows(Gradcam3dException.class, () -> o.withOpacity(Double.NaN));
    assertThrows(Gradcam3dException.class, () -> o.withMontageEvery(0));
    assertThrows(Gradcam3dException.class, () -> o.withColormap(null));
  }

  /** A CAM peaking at the centre voxel (d/2, h/2, w/2). */
  private static FloatTensor blob(int d, int h, int w) {
    return Synthetic.volume(d, h, w, SP, (z, y, x) -> Synthetic.gaussian(z, y, x,
        new double[] {d / 2 * SP[0], h / 2 * SP[1], w / 2 * SP[2]}, 3));
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
