package gradcam3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gradcam3d.volume.NiftiHeader;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.NiftiReader;
import gradcam3d.volume.NiftiWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The banded gzip stream against java.util.zip's reader and CRC-32. */
class GzipBandsTest {
  @TempDir
  Path tmp;

  /** Compressible but not trivial data: a smooth ramp with noise in the low bits. */
  private static byte[] data(int n, long seed) {
    Random r = new Random(seed);
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ((i / 97) + (r.nextInt(4)));
    }
    return b;
  }

  @Test
  void readsBackWithGzipInputStreamAcrossBandSizesAndWriteSizes() throws Exception {
    for (int n : new int[] {0, 1, 999, 1000, 1001, 250_000}) {
      byte[] raw = data(n, n);
      for (int band : new int[] {1000, 4096, 1 << 20}) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GzipBands g = new GzipBands(out, Deflater.BEST_SPEED, band)) {
          // uneven writes, and single bytes, cut the data across band edges
          int at = 0;
          for (int step = 1; at < n; step = step * 3 + 1) {
            int len = Math.min(step, n - at);
            if (len == 1) {
              g.write(raw[at]);
            } else {
              g.write(raw, at, len);
            }
            at += len;
          }
        }
        byte[] back;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(out.toByteArray()))) {
          // GZIPInputStream checks the trailer's CRC-32 and length
          back = in.readAllBytes();
        }
        assertArrayEquals(raw, back, n + " bytes in bands of " + band);
      }
    }
  }

  /**
   * The stream byte for byte: the gzip header, each band deflated by a new raw deflater and
   * ended by a sync flush, the final block, the CRC-32 and the length; whether the data ends
   * inside a band or on a band's end (the last band is deflated when the stream closes), and
   * with two streams sharing the pool at once.
   */
  @Test
  void bytesAreTheBandsOfNewDeflatersInOrder() throws Exception {
    int band = 4096;
    for (int n : new int[] {0, 100, band, 3 * band, 3 * band + 17}) {
      byte[] raw = data(n, n + 1);
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      expected.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 0});
      for (int from = 0; from < n; from += band) {
        expected.write(DeflatersTest.freshBand(Deflater.BEST_SPEED, raw, from, Math.min(n, from + band)));
      }
      expected.write(DeflatersTest.freshFinalBlock(Deflater.BEST_SPEED));
      CRC32 crc = new CRC32();
      crc.update(raw);
      for (long v : new long[] {crc.getValue(), n}) {
        for (int i = 0; i < 4; i++) {
          expected.write((int) (v >>> (8 * i)));
        }
      }
      ByteArrayOutputStream first = new ByteArrayOutputStream();
      ByteArrayOutputStream second = new ByteArrayOutputStream();
      try (GzipBands a = new GzipBands(first, Deflater.BEST_SPEED, band);
          GzipBands b = new GzipBands(second, Deflater.BEST_SPEED, band)) {
        for (int at = 0; at < n; at += 1000) {
          a.write(raw, at, Math.min(1000, n - at));
          b.write(raw, at, Math.min(1000, n - at));
        }
      }
      assertArrayEquals(expected.toByteArray(), first.toByteArray(), n + " bytes");
      assertArrayEquals(expected.toByteArray(), second.toByteArray(), n + " bytes");
    }
  }

  @Test
  void combinedCrcIsTheCrcOfTheConcatenation() {
    Random r = new Random(7);
    for (int trial = 0; trial < 50; trial++) {
      byte[] a = new byte[r.nextInt(3000)];
      byte[] b = new byte[r.nextInt(3000)];
      r.nextBytes(a);
      r.nextBytes(b);
      CRC32 ca = new CRC32();
      ca.update(a);
      CRC32 cb = new CRC32();
      cb.update(b);
      CRC32 whole = new CRC32();
      whole.update(a);
      whole.update(b);
      assertEquals(whole.getValue(), GzipBands.combine(ca.getValue(), cb.getValue(), b.length));
    }
  }

  @Test
  void niftiGzWrittenInBandsReadsBackTheSameVoxels() throws Exception {
    int[] dims = {70, 60, 80}; // 1.3 MB of float data: two of the writer's 1 MiB bands
    float[] v = new float[dims[0] * dims[1] * dims[2]];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) Math.sin(i * 0.001) * 100 + (i % 7);
    }
    NiftiHeader h = new NiftiHeader().withShape(dims[0], dims[1], dims[2]);
    Path gz = tmp.resolve("v.nii.gz");
    new NiftiWriter().write(new NiftiImage("v", h, v), gz);
    assertArrayEquals(v, NiftiReader.read(gz).data());
    try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
      Path plain = tmp.resolve("v.nii");
      new NiftiWriter().write(new NiftiImage("v", h, v), plain);
      assertArrayEquals(Files.readAllBytes(plain), in.readAllBytes());
    }
  }
}
