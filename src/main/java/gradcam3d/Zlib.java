package gradcam3d;

import java.io.ByteArrayOutputStream;
import java.util.zip.Adler32;
import java.util.zip.Deflater;

/**
 * One zlib stream (RFC 1950) built from consecutive parts, each part deflated in independent bands
 * on all cores (the pigz scheme): every band ends with a sync flush on a byte boundary, so the
 * bands simply concatenate, and an empty final block closes the stream. A little larger than one
 * deflater's output (each band starts without history), several times faster on several cores.
 * Each band's Adler-32 is taken with it and the sums combined in order (as zlib's
 * adler32_combine), so no pass over the whole data is left to one thread. A part may also be
 * made band by band ({@link #add(int, Source)}: e.g. quantised while it is compressed), without
 * an array of the whole part. Any zlib reader (a browser's DecompressionStream,
 * java.util.zip.Inflater) reads it.
 *
 * <pre>{@code
 * Zlib z = new Zlib(Deflater.BEST_SPEED, 1 << 18);
 * z.add(first);
 * z.add(second);
 * byte[] stream = z.finish();
 * }</pre>
 */
public final class Zlib {
  private final int level;
  private final int band;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
  /** The Adler-32 of every part so far (1: of nothing). */
  private int adler = 1;
  private boolean finished;

  /** Makes bytes [from, to) of a part, into {@code into[0, to - from)}. */
  @FunctionalInterface
  public interface Source {
    void fill(int from, int to, byte[] into);
  }

  /**
   * @param level the deflate level of every band
   * @param band bytes per band: big enough that starting without history costs little
   */
  public Zlib(int level, int band) {
    if (band < 1) {
      throw new IllegalArgumentException("band must be at least 1 byte, not " + band);
    }
    this.level = level;
    this.band = band;
    out.write(0x78); // deflate, 32K window
    out.write(0x01); // no preset dictionary; check bits for 0x7801
  }

  /** The whole zlib stream of {@code raw}. */
  public static byte[] compress(byte[] raw, int level, int band) {
    Zlib z = new Zlib(level, band);
    z.add(raw);
    return z.finish();
  }

  /** Appends the next part of the uncompressed data. */
  public Zlib add(byte[] part) {
    return add(part.length, part, null);
  }

  /** Appends the next part, {@code length} bytes, each band made by {@code source} just before it is compressed. */
  public Zlib add(int length, Source source) {
    return add(length, null, source);
  }

  private Zlib add(int length, byte[] whole, Source source) {
    if (finished) {
      throw new IllegalStateException("the stream is finished");
    }
    int bands = (int) (((long) length + band - 1) / band);
    byte[][] parts = new byte[bands][];
    int[] sums = new int[bands];
    // on the calling thread too: all cores even where the common pool has one
    Chunks.run(bands, i -> {
      int from = i * band;
      int to = (int) Math.min(length, (long) from + band);
      byte[] raw = whole;
      int at = from;
      if (raw == null) {
        raw = new byte[to - from];
        source.fill(from, to, raw);
        at = 0;
      }
      Adler32 a = new Adler32();
      a.update(raw, at, to - from);
      sums[i] = (int) a.getValue();
      parts[i] = deflateBand(level, raw, at, at + to - from);
    });
    for (int i = 0; i < bands; i++) {
      out.writeBytes(parts[i]);
      adler = adlerCombine(adler, sums[i], Math.min(band, length - i * band));
    }
    return this;
  }

  private static final int ADLER_BASE = 65521;

  /**
   * The Adler-32 of two pieces of data one after the other, from each one's Adler-32 and the
   * second's length (zlib's adler32_combine).
   */
  static int adlerCombine(int first, int second, long secondLength) {
    long rem = secondLength % ADLER_BASE;
    long sum1 = first & 0xffff;
    long sum2 = rem * sum1 % ADLER_BASE;
    sum1 += (second & 0xffff) + ADLER_BASE - 1;
    sum2 += ((first >>> 16) & 0xffff) + ((second >>> 16) & 0xffff) + ADLER_BASE - rem;
    if (sum1 >= ADLER_BASE) {
      sum1 -= ADLER_BASE;
    }
    if (sum1 >= ADLER_BASE) {
      sum1 -= ADLER_BASE;
    }
    if (sum2 >= 2L * ADLER_BASE) {
      sum2 -= 2L * ADLER_BASE;
    }
    if (sum2 >= ADLER_BASE) {
      sum2 -= ADLER_BASE;
    }
    return (int) (sum1 | (sum2 << 16));
  }

  /** Closes the stream with an empty final block and the Adler-32 of all parts; returns it. */
  public byte[] finish() {
    if (!finished) {
      finished = true;
      out.writeBytes(finalBlock(level));
      int a = adler;
      out.write(a >>> 24);
      out.write(a >>> 16);
      out.write(a >>> 8);
      out.write(a);
    }
    return out.toByteArray();
  }

  /** Raw deflate of one band, ended by a sync flush (bands so made concatenate; {@link GzipBands} shares it). */
  static byte[] deflateBand(int level, byte[] raw, int from, int to) {
    Deflater d = new Deflater(level, true);
    try {
      d.setInput(raw, from, to - from);
      ByteArrayOutputStream o = new ByteArrayOutputStream((to - from) / 4 + 64);
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

  /** The final (empty) block. */
  static byte[] finalBlock(int level) {
    Deflater d = new Deflater(level, true);
    try {
      d.finish();
      ByteArrayOutputStream o = new ByteArrayOutputStream(16);
      byte[] buf = new byte[64];
      while (!d.finished()) {
        o.write(buf, 0, d.deflate(buf));
      }
      return o.toByteArray();
    } finally {
      d.end();
    }
  }
}
