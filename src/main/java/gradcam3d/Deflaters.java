package gradcam3d;

import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;

/**
 * Raw deflaters (no zlib or gzip wrapper) kept for reuse, per level: a figure or a map is
 * deflated in several bands, each by a deflater of its own, and a new deflater allocates and
 * clears its window and hash tables (about 270 KB) where {@link Deflater#reset} only clears the
 * hash. A reset deflater writes the same bytes as a new one (zlib's deflateReset). Thread-safe;
 * a deflater is used by one thread at a time, between {@link #deflateBand} calls.
 */
final class Deflaters {
  /** Deflaters kept per level at most: two per core, enough for bands deflated side by side. */
  private static final int KEEP = 2 * Runtime.getRuntime().availableProcessors();
  /** Levels -1 (default) to 9. */
  private static final int LEVELS = 11;

  /** A deflater and the buffer its output goes to first. */
  private static final class Entry {
    final Deflater deflater;
    final byte[] buffer = new byte[64 * 1024];

    Entry(int level) {
      deflater = new Deflater(level, true);
    }
  }

  @SuppressWarnings("unchecked")
  private static final ConcurrentLinkedQueue<Entry>[] KEPT = new ConcurrentLinkedQueue[LEVELS];
  private static final AtomicInteger[] COUNT = new AtomicInteger[LEVELS];
  /** The final empty block of each level, made once. */
  private static final java.util.concurrent.atomic.AtomicReferenceArray<byte[]> FINAL_BLOCK =
      new java.util.concurrent.atomic.AtomicReferenceArray<>(LEVELS);

  static {
    for (int i = 0; i < LEVELS; i++) {
      KEPT[i] = new ConcurrentLinkedQueue<>();
      COUNT[i] = new AtomicInteger();
    }
  }

  private Deflaters() {}

  /**
   * Raw deflate of {@code raw[from, to)} by a fresh or reset deflater of {@code level}, ended by a
   * sync flush.
   */
  static byte[] deflateBand(int level, byte[] raw, int from, int to) {
    int slot = slot(level);
    Entry e = KEPT[slot].poll();
    if (e == null) {
      e = new Entry(level);
    } else {
      COUNT[slot].decrementAndGet();
    }
    boolean reusable = false;
    try {
      byte[] deflated = deflate(e, raw, from, to);
      reusable = true;
      return deflated;
    } finally {
      giveBack(slot, e, reusable);
    }
  }

  private static byte[] deflate(Entry e, byte[] raw, int from, int to) {
    Deflater d = e.deflater;
    byte[] buf = e.buffer;
    d.setInput(raw, from, to - from);
    // the usual band fits the buffer in one call; a larger output is collected in pieces
    int n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
    if (n < buf.length && d.needsInput()) {
      return Arrays.copyOf(buf, n);
    }
    java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream(2 * buf.length);
    o.write(buf, 0, n);
    while (true) {
      n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
      o.write(buf, 0, n);
      if (n < buf.length && d.needsInput()) {
        return o.toByteArray();
      }
    }
  }

  private static void giveBack(int slot, Entry e, boolean reusable) {
    if (reusable && COUNT[slot].incrementAndGet() <= KEEP) {
      e.deflater.reset();
      KEPT[slot].add(e);
      return;
    }
    if (reusable) {
      COUNT[slot].decrementAndGet();
    }
    e.deflater.end();
  }

  /** The final (empty) block of a raw deflate stream at {@code level}. */
  static byte[] finalBlock(int level) {
    int slot = slot(level);
    byte[] b = FINAL_BLOCK.get(slot);
    if (b == null) {
      b = makeFinalBlock(level);
      FINAL_BLOCK.set(slot, b); // the same bytes whichever thread makes them first
    }
    return b.clone();
  }

  private static byte[] makeFinalBlock(int level) {
    Deflater d = new Deflater(level, true);
    try {
      d.finish();
      java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream(16);
      byte[] buf = new byte[64];
      while (!d.finished()) {
        o.write(buf, 0, d.deflate(buf));
      }
      return o.toByteArray();
    } finally {
      d.end();
    }
  }

  private static int slot(int level) {
    if (level < -1 || level > 9) {
      throw new IllegalArgumentException("invalid deflate level " + level);
    }
    return level + 1;
  }
}
