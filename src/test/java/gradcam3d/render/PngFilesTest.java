package gradcam3d.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Our PNG encoder, decoded by the JDK's own PNG reader: every pixel comes back. */
class PngFilesTest {
  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0}x{1}")
  @CsvSource({"1, 1", "7, 3", "300, 129", "983, 312", "1079, 1008", "64, 1000"})
  void jdkDecoderReadsBackEveryPixel(int w, int h) throws IOException {
    Picture p = new Picture(w, h);
    Random rng = new Random(w * 31L + h);
    // half noise (incompressible), a quarter flat panels and gradients like real figures, a
    // quarter rows repeated in runs of 3 (enlarged voxels), a run's first row differing anywhere
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        p.rgb[y * w + x] = y < h / 2 ? rng.nextInt(1 << 24)
            : y < 3 * h / 4 ? (x / 50 % 2 == 0 ? 0x202020 : (x * 3 + y) & 0xFFFFFF)
            : (y % 6 == 0 && x == y % w ? 0xFF00FF : (x * 7 + y / 3 * 11) & 0xFFFFFF);
      }
    }
    Path f = dir.resolve("p.png");
    PngFiles.write(p, f);
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(f)));
    assertEquals(w, img.getWidth());
    assertEquals(h, img.getHeight());
    int[] back = img.getRGB(0, 0, w, h, null, 0, w);
    for (int i = 0; i < back.length; i++) {
      back[i] &= 0xFFFFFF;
    }
    assertArrayEquals(p.rgb, back);
  }

  @ParameterizedTest(name = "{0}x{1}")
  @CsvSource({"1079, 1008"})
  void flatFiguresCompressWell(int w, int h) {
    Picture p = new Picture(w, h);
    p.fill(100, 100, 500, 500, 0xFF8800);
    byte[] png = PngFiles.encode(p);
    assertTrue(png.length < w * h * 3 / 100, "a mostly flat picture compresses over 100x, got " + png.length);
  }
}
