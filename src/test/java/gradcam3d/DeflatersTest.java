package gradcam3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * Kept and reset deflaters write the bytes a new deflater writes (the outputs must stay byte for
 * byte what they were), one after the other at mixed levels, and from several threads at once.
 */
class DeflatersTest {
  /** A band as a new raw deflater writes it, ended by a sync flush, through a 64 KiB buffer. */
  static byte[] freshBand(int level, byte[] raw, int from, int to) {
    Deflater d = new Deflater(level, true);
    try {
      d.setInput(raw, from, to - from);
      ByteArrayOutputStream o = new ByteArrayOutputStream();
      byte[] buf = new byte[64 * 1024];
      while (true) {
        int n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
        o.write(buf, 0, n);
        if (n < buf.length && d.needsInput()) {
          return o.toByteArray();
        }
      }
    } finally {
      d.end();
    }
  }

  static byte[] freshFinalBlock(int level) {
    Deflater d = new Deflater(level, true);
    try {
      d.finish();
      ByteArrayOutputStream o = new ByteArrayOutputStream();
      byte[] buf = new byte[64];
      while (!d.finished()) {
        o.write(buf, 0, d.deflate(buf));
      }
      return o.toByteArray();
    } finally {
      d.end();
    }
  }

  /** Noise, zeros, repeated runs, and noise long enough that its output outgrows one buffer. */
  private static List<byte[]> inputs() {
    Random r = new Random(11);
    List<byte[]> in = new ArrayList<>();
    in.add(new byte[0]);
    in.add(new byte[300_000]);
    byte[] noise = new byte[200_000];
    r.nextBytes(noise);
    in.add(noise);
    byte[] runs = new byte[120_001];
    for (int i = 0; i < runs.length; i++) {
      runs[i] = (byte) ((i / 61) % 5 == 0 ? r.nextInt(256) : i / 997);
    }
    in.add(runs);
    return in;
  }

  @Test
  void keptDeflatersWriteWhatNewOnesWrite() {
    int[] levels = {Deflater.BEST_SPEED, 6, Deflater.DEFAULT_COMPRESSION, 1, Deflater.BEST_COMPRESSION, 0};
    for (int round = 0; round < 3; round++) {
      for (int level : levels) {
        for (byte[] raw : inputs()) {
          int from = raw.length / 7;
          int to = raw.length - raw.length / 5;
          assertArrayEquals(freshBand(level, raw, from, to), Deflaters.deflateBand(level, raw, from, to),
              "level " + level + ", " + raw.length + " bytes, round " + round);
        }
      }
    }
  }

  @Test
  void finalBlocksAreANewDeflatersAndCopies() {
    for (int level = -1; level <= 9; level++) {
      byte[] a = Deflaters.finalBlock(level);
      assertArrayEquals(freshFinalBlock(level), a, "level " + level);
      byte[] b = Deflaters.finalBlock(level);
      assertNotSame(a, b);
      a[0] ^= 1; // a caller's change to its copy does not reach the next caller
      assertArrayEquals(freshFinalBlock(level), Deflaters.finalBlock(level));
    }
  }

  @Test
  void deflatersSharedByThreadsWriteWhatNewOnesWrite() throws Exception {
    List<byte[]> in = inputs();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        done.add(pool.submit((Callable<Boolean>) () -> {
          for (int i = 0; i < 12; i++) {
            byte[] raw = in.get((thread + i) % in.size());
            int level = (thread + i) % 2 == 0 ? Deflater.BEST_SPEED : 6;
            int from = (thread * 997) % Math.max(1, raw.length / 2);
            assertArrayEquals(freshBand(level, raw, from, raw.length), Deflaters.deflateBand(level, raw, from, raw.length),
                "thread " + thread + ", band " + i);
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
}
