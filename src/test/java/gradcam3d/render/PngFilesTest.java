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

  /**
   * The Adler-32 worked out while filtering (rows equal to the one above counted without a pass)
   * against java.util.zip.Adler32 over the filtered rows, and the IDAT stream inflated by the
   * JDK's inflater, which checks it: pictures of noise, of repeated rows (enlarged voxels), of a
   * single row and a single column, and flat ones.
   */
  @ParameterizedTest(name = "{0}x{1}")
  @CsvSource({"1, 1", "1, 40", "40, 1", "129, 300", "983, 384", "1079, 810"})
  void adlerOfTheFilteredRowsIsTheirs(int w, int h) throws Exception {
    Random rng = new Random(w * 7L + h);
    for (int kind = 0; kind < 3; kind++) {
      Picture p = new Picture(w, h);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          p.rgb[y * w + x] = kind == 0 ? rng.nextInt(1 << 24)
              : kind == 1 ? (((x / 4) * 37 + (y / 5) * 101) & 0xFFFFFF) | (x == w / 2 && y % 7 == 0 ? 0xFF0000 : 0)
              : 0x141414;
        }
      }
      PngFiles.Filtered f = PngFiles.filteredRows(p);
      java.util.zip.Adler32 direct = new java.util.zip.Adler32();
      direct.update(f.raw());
      assertEquals(direct.getValue(), f.adler(), "kind " + kind);
      byte[] png = PngFiles.encode(p);
      assertArrayEquals(f.raw(), inflateIdat(png), "kind " + kind);
    }
  }

  /** The IDAT chunk's zlib stream inflated (header and Adler-32 checked by the inflater). */
  private static byte[] inflateIdat(byte[] png) throws Exception {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(png);
    b.position(8);
    while (b.remaining() > 0) {
      int length = b.getInt();
      byte[] type = new byte[4];
      b.get(type);
      byte[] data = new byte[length];
      b.get(data);
      b.getInt(); // CRC
      if (new String(type, java.nio.charset.StandardCharsets.US_ASCII).equals("IDAT")) {
        java.util.zip.Inflater in = new java.util.zip.Inflater();
        try {
          in.setInput(data);
          java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
          byte[] buf = new byte[1 << 16];
          while (!in.finished()) {
            int n = in.inflate(buf);
            if (n == 0 && in.needsInput()) {
              throw new AssertionError("truncated IDAT");
            }
            out.write(buf, 0, n);
          }
          return out.toByteArray();
        } finally {
          in.end();
        }
      }
    }
    throw new AssertionError("no IDAT chunk");
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
