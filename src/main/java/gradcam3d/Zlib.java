package gradcam3d;

import java.io.ByteArrayOutputStream;
import java.util.zip.Adler32;
import java.util.zip.Deflater;

/**
 * One zlib stream (RFC 1950) built from consecutive parts, each part deflated in independent bands
 * on all cores (the pigz scheme): every band ends with a sync flush on a byte boundary, so the
 * bands simply concatenate, and an empty final block closes the stream. A little larger than one
 * deflater's output (each band starts without history), several times faster on several cores.
 * Any zlib reader (a browser's DecompressionStream, java.util.zip.Inflater) reads it.
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
  private final Adler32 adler = new Adler32();
  private boolean finished;

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
    if (finished) {
      throw new IllegalStateException("the stream is finished");
    }
    int bands = (part.length + band - 1) / band;
    // on the calling thread too: all cores even where the common pool has one
    byte[][] parts = new byte[bands][];
    Chunks.run(bands, i -> parts[i] = deflateBand(level, part, i * band, Math.min(part.length, (i + 1) * band)));
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    adler.update(part);
    return this;
  }

  /** Closes the stream with an empty final block and the Adler-32 of all parts; returns it. */
  public byte[] finish() {
    if (!finished) {
      finished = true;
      out.writeBytes(finalBlock(level));
      int a = (int) adler.getValue();
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
