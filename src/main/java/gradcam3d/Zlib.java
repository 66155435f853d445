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
  private long adler = 1;
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

  /**
   * The whole zlib stream of {@code raw}, whose Adler-32 the caller has worked out (e.g. a PNG's
   * filtered rows, while filtering them: a row of zeros costs nothing).
   */
  public static byte[] compress(byte[] raw, long rawAdler, int level, int band) {
    Zlib z = new Zlib(level, band);
    z.add(raw, rawAdler);
    return z.finish();
  }

  /** Appends the next part of the uncompressed data. */
  public Zlib add(byte[] part) {
    return add(part.length, part, null, -1);
  }

  /** Appends the next part of the uncompressed data, given its Adler-32. */
  public Zlib add(byte[] part, long partAdler) {
    return add(part.length, part, null, partAdler);
  }

  /** Appends the next part, {@code length} bytes, each band made by {@code source} just before it is compressed. */
  public Zlib add(int length, Source source) {
    return add(length, null, source, -1);
  }

  /** {@code known}: the part's Adler-32, or -1 for each band's to be taken with it. */
  private Zlib add(int length, byte[] whole, Source source, long known) {
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
      if (known < 0) {
        Adler32 a = new Adler32();
        a.update(raw, at, to - from);
        sums[i] = (int) a.getValue();
      }
      parts[i] = deflateBand(level, raw, at, at + to - from);
    });
    for (int i = 0; i < bands; i++) {
      out.writeBytes(parts[i]);
      if (known < 0) {
        adler = combineAdler(adler, sums[i], Math.min(band, length - i * band));
      }
    }
    if (known >= 0) {
      adler = combineAdler(adler, known, length);
    }
    return this;
  }

  /** The modulus of Adler-32's sums. */
  private static final int ADLER_BASE = 65521;

  /**
   * The Adler-32 of A followed by B from the Adler-32s of A and B and B's length (zlib's
   * adler32_combine): B's first sum is A's plus B's less the 1 it starts from; its second grows
   * by A's first sum for every byte of B.
   */
  public static long combineAdler(long adlerA, long adlerB, long lengthB) {
    long rem = lengthB % ADLER_BASE;
    long a1 = adlerA & 0xFFFF;
    long a2 = (adlerA >>> 16) & 0xFFFF;
    long b1 = adlerB & 0xFFFF;
    long b2 = (adlerB >>> 16) & 0xFFFF;
    long sum1 = (a1 + b1 + ADLER_BASE - 1) % ADLER_BASE;
    long sum2 = (rem * a1 % ADLER_BASE + a2 + b2 + ADLER_BASE - rem) % ADLER_BASE;
    return sum1 | (sum2 << 16);
  }

  /** Closes the stream with an empty final block and the Adler-32 of all parts; returns it. */
  public byte[] finish() {
    if (!finished) {
      finished = true;
      out.writeBytes(finalBlock(level));
      int a = (int) adler;
      out.write(a >>> 24);
      out.write(a >>> 16);
      out.write(a >>> 8);
      out.write(a);
    }
    return out.toByteArray();
  }

  /** Raw deflate of one band, ended by a sync flush (bands so made concatenate; {@link GzipBands} shares it). */
  static byte[] deflateBand(int level, byte[] raw, int from, int to) {
    return Deflaters.deflateBand(level, raw, from, to);
  }

  /** The final (empty) block. */
  static byte[] finalBlock(int level) {
    return Deflaters.finalBlock(level);
  }
}
