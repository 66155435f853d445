package gradcam3d.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bounded memory and time for NIfTI files, volumes over 2 GiB, and the geometry fallbacks. */
class NiftiLimitsTest {
  @TempDir Path dir;

  /** A NIfTI-1 header (and the empty extension flag) for {@code shape} of {@code type}. */
  private static byte[] header(NiftiDatatype type, long... shape) {
    NiftiHeader h = new NiftiHeader().withShape(shape);
    h.datatype = type;
    h.voxOffset = NiftiHeaderCodec.minimumDataOffset(1);
    ByteBuffer b = ByteBuffer.allocate(NiftiHeaderCodec.minimumDataOffset(1))
        .order(ByteOrder.LITTLE_ENDIAN);
    NiftiHeaderCodec.encode(h, 1, b);
    return b.array();
  }

  /** Gzips the header followed by {@code zeros} zero bytes. */
  private Path gzipped(String name, byte[] header, long zeros) throws IOException {
    Path file = dir.resolve(name);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16) {
      {
        def.setLevel(Deflater.BEST_SPEED);
      }
    }) {
      out.write(header);
      byte[] block = new byte[1 << 20];
      for (long left = zeros; left > 0; left -= block.length) {
        out.write(block, 0, (int) Math.min(block.length, left));
      }
    }
    return file;
  }

  private static long allocatedWhile(Runnable r) {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = mx.getCurrentThreadAllocatedBytes();
    r.run();
    return mx.getCurrentThreadAllocatedBytes() - before;
  }

  private static String refusal(Supplier<?> read) {
    Gradcam3dException e = assertThrows(Gradcam3dException.class, read::get);
    assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    return e.getMessage();
  }

  @Test
  void aHeaderDeclaringTooManyVoxelsIsRefusedBeforeInflating() throws IOException {
    // 100 MB of zeros compress to ~100 KB; the header says 2000^3 voxels
    Path bomb = gzipped("bomb.nii.gz", header(NiftiDatatype.UINT8, 2000, 2000, 2000), 100L << 20);
    long[] allocated = new long[1];
    String message = refusal(() -> {
      allocated[0] = allocatedWhile(() -> {
        try {
          NiftiReader.read(bomb);
        } catch (Gradcam3dException e) {
          throw e;
        }
      });
      return null;
    });
    assertTrue(message.contains("more than the " + NiftiReader.MAX_VOXELS + " this tool can hold"),
        message);
    assertTrue(allocated[0] < (8 << 20), "allocated " + allocated[0] + " bytes");
  }

  @Test
  void inflatingStopsAtTheDeclaredSizeAndTrailingDataIsAnError() throws IOException {
    // 64^3 float32 = 1 MiB of voxels, followed by 100 MiB more than the header declares
    Path file = gzipped("long.nii.gz", header(NiftiDatatype.FLOAT32, 64, 64, 64), (1L << 20) + (100L << 20));
    long start = System.nanoTime();
    long allocated = allocatedWhile(() -> {
      String message = refusal(() -> NiftiReader.read(file));
      assertTrue(message.contains("holds more data than the " + (352 + (1 << 20)) + " bytes its"
          + " header declares"), message);
    });
    assertTrue(allocated < (16 << 20), "allocated " + allocated + " bytes");
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "stopped early");
  }

  @Test
  void aDeclaredSizeTheCompressedFileCannotHoldIsRefusedBeforeAllocating() throws IOException {
    // 4 KB of gzip cannot inflate to 512x512x1000 float32 (1 GiB)
    Path file = gzipped("small.nii.gz", header(NiftiDatatype.FLOAT32, 512, 512, 1000), 4096);
    long allocated = allocatedWhile(() -> {
      String message = refusal(() -> NiftiReader.read(file));
      assertTrue(message.contains("header says 512x512x1000 float32 (1048576000 bytes), more than"
          + " its "), message);
      assertTrue(message.contains("the file is truncated or its header is wrong"), message);
    });
    assertTrue(allocated < (8 << 20), "allocated " + allocated + " bytes");
  }

  @Test
  void aGzipStreamWithoutItsTrailerSaysSo() throws IOException {
    Path whole = dir.resolve("whole.nii.gz");
    new NiftiWriter().write(new NiftiImage("w", new NiftiHeader().withShape(5, 4, 3), new float[60]),
        whole);
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = Files.write(dir.resolve("cut.nii.gz"), Arrays.copyOf(bytes, bytes.length - 8));
    String message = refusal(() -> NiftiReader.read(cut));
    assertEquals(cut + " is a truncated or corrupt gzip file (it ends without the gzip trailer"
        + " that holds its checksum and size).", message);
  }

  @Test
  void aVolumeLargerThanTheHeapAllowsIsRefusedUpFront() throws IOException {
    Path file = dir.resolve("big.nii");
    Files.write(file, header(NiftiDatatype.FLOAT32, 512, 512, 1000));
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(352 + 512L * 512 * 1000 * 4); // sparse: takes no disk space
    }
    String message = refusal(() -> NiftiReader.read(file, 512L << 20));
    assertTrue(message.contains("big.nii (512x512x1000 float32) needs 1.0 GiB of memory for its"
        + " voxels, more than the 0.5 GiB this Java process may use"), message);
  }

  @Test
  void aFileOverTwoGibibytesIsRead() throws IOException {
    // 512x512x1025 float64: 2.15 GB of data, 1.07 GB as float32 in memory
    long[] shape = {512, 512, 1025};
    long count = shape[0] * shape[1] * shape[2];
    Path file = dir.resolve("ct64.nii");
    Files.write(file, header(NiftiDatatype.FLOAT64, shape));
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(352 + count * 8); // sparse zeros
      long[] voxels = {0, count / 2, (1L << 31) / 8 + 3, count - 1}; // the third lies past 2 GiB
      for (int i = 0; i < voxels.length; i++) {
        f.seek(352 + voxels[i] * 8);
        f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(i + 1.5).array());
      }
      NiftiImage image = NiftiReader.read(file);
      assertArrayEquals(shape, image.shape());
      float[] data = image.data();
      for (int i = 0; i < voxels.length; i++) {
        assertEquals(i + 1.5f, data[(int) voxels[i]]);
      }
      assertEquals(0f, data[1]);
      assertEquals(0f, data[(int) count - 2]);
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void aNanInTheSformFallsBackToTheQform() throws IOException {
    NiftiHeader h = new NiftiHeader().withShape(5, 4, 3);
    h.sformCode = 2;
    h.srow[0][3] = Double.NaN;
    h.qformCode = 1;
    h.pixdim[1] = 2;
    h.pixdim[2] = 3;
    h.pixdim[3] = 4;
    h.qoffsetX = 10;
    Path file = dir.resolve("nan-srow.nii");
    new NiftiWriter().write(new NiftiImage("n", h, new float[60]), file);
    NiftiImage image = NiftiReader.read(file);
    double[][] want = {{2, 0, 0, 10}, {0, 3, 0, 0}, {0, 0, 4, 0}, {0, 0, 0, 1}};
    for (int r = 0; r < 4; r++) {
      assertArrayEquals(want[r], image.header().affine()[r], 1e-12);
    }
    assertEquals(0, image.header().sformCode, "the broken sform is dropped, not written out again");

    // the CAM written with this geometry carries the qform and a finite srow
    Volume v = VolumeIO.read(file, Layout.ZYX, 3);
    Path cam = dir.resolve("cam.nii");
    VolumeIO.writeCam(new FloatTensor(new float[60], v.spatialShape()), v, cam);
    NiftiHeader written = NiftiReader.read(cam).header();
    for (double[] row : written.srow) {
      for (double x : row) {
        assertTrue(Double.isFinite(x), Arrays.toString(row));
      }
    }
    assertEquals(1, written.qformCode);
  }

  @Test
  void aNanInTheSformWithoutAQformIsRefused() throws IOException {
    NiftiHeader h = new NiftiHeader().withShape(5, 4, 3);
    h.sformCode = 1;
    h.srow[1][1] = Double.NaN;
    Path file = dir.resolve("nan-only.nii");
    new NiftiWriter().write(new NiftiImage("n", h, new float[60]), file);
    assertEquals(file + ": its sform (srow_x/y/z) holds NaN or infinite values and it has no qform"
        + " to fall back on.", refusal(() -> NiftiReader.read(file)));
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void fifosAreRefusedWithoutBlocking() throws Exception {
    for (String name : new String[] {"pipe.nii.gz", "pipe.nii", "pipe.npy"}) {
      Path fifo = dir.resolve(name);
      Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
      assertEquals(0, p.waitFor());
      String message = refusal(() -> VolumeIO.read(fifo, Layout.ZYX, 3));
      assertTrue(message.contains("is not a regular file"), message);
      message = refusal(() -> VolumeIO.readMask(fifo, Layout.ZYX, new long[] {3, 4, 5}));
      assertTrue(message.contains("is not a regular file"), message);
    }
  }
}
