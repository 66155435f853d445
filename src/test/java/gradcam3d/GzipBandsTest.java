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
