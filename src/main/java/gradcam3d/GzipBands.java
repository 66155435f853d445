package gradcam3d;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.CRC32;

/**
 * A gzip stream (RFC 1952, one member) deflated in independent bands on all cores, the scheme of
 * {@link Zlib} (and pigz): every band ends with a sync flush on a byte boundary, so the compressed
 * bands concatenate; an empty final block, the CRC-32 of all data (the bands' own CRCs, combined)
 * and its length close the member. It streams: the data is cut into bands as it is written, at
 * most two bands per core are held at once, and finished bands are written in order. Any gzip
 * reader (java.util.zip.GZIPInputStream, Python's gzip and nibabel, zcat) reads it.
 *
 * <p>Closing finishes the member; it does not close the underlying stream.
 */
public final class GzipBands extends OutputStream {
  /** The header java.util.zip.GZIPOutputStream writes: deflate, no flags, no time, OS byte 0. */
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 0};

  /** One band's compressed bytes and the CRC-32 and length of its data. */
  private record Band(byte[] deflated, int crc, int length) {}

  /**
   * The cores' threads every stream hands its bands to, started once (a batch writes a map per
   * case; a pool per stream started and ended threads for every file).
   */
  private static final ExecutorService POOL = Executors.newFixedThreadPool(
      Runtime.getRuntime().availableProcessors(), r -> {
        Thread t = new Thread(r, "gradcam3d-gzip-band");
        t.setDaemon(true);
        return t;
      });

  private final OutputStream out;
  private final int level;
  private final int maxInFlight;
  private final ArrayDeque<CompletableFuture<Band>> inFlight = new ArrayDeque<>();
  private byte[] buffer;
  private int filled;
  private long crc;
  private long length;
  private boolean closed;

  /**
   * @param out where the member goes (left open)
   * @param level the deflate level of every band
   * @param band bytes per band: big enough that starting without history costs little
   */
  public GzipBands(OutputStream out, int level, int band) throws IOException {
    if (band < 1) {
      throw new IllegalArgumentException("band must be at least 1 byte, not " + band);
    }
    this.out = out;
    this.level = level;
    this.buffer = new byte[band];
    this.maxInFlight = 2 * Runtime.getRuntime().availableProcessors();
    out.write(HEADER);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("the gzip stream is closed");
    }
    while (len > 0) {
      // a full band goes when more data comes (the last one is deflated by close)
      if (filled == buffer.length) {
        submit();
      }
      int n = Math.min(len, buffer.length - filled);
      System.arraycopy(b, off, buffer, filled, n);
      filled += n;
      off += n;
      len -= n;
    }
  }

  /** Hands the full buffer to a core and writes finished bands while too many are pending. */
  private void submit() throws IOException {
    byte[] data = buffer;
    int n = filled;
    buffer = new byte[data.length];
    filled = 0;
    inFlight.add(CompletableFuture.supplyAsync(() -> band(data, n), POOL));
    while (inFlight.size() > maxInFlight) {
      writeOldest();
    }
  }

  private Band band(byte[] data, int n) {
    CRC32 c = new CRC32();
    c.update(data, 0, n);
    return new Band(Zlib.deflateBand(level, data, 0, n), (int) c.getValue(), n);
  }

  private void write(Band b) throws IOException {
    out.write(b.deflated());
    crc = combine(crc, b.crc() & 0xFFFFFFFFL, b.length());
    length += b.length();
  }

  private void writeOldest() throws IOException {
    Band b;
    try {
      b = Futures.join(inFlight.poll());
    } catch (RuntimeException | Error e) {
      abandon();
      throw e;
    }
    write(b);
  }

  /** Writes the remaining bands, the final block and the trailer. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      // the last band (a small map's only one) is deflated here while the others finish,
      // rather than handed over and waited for
      Band last = filled > 0 ? band(buffer, filled) : null;
      filled = 0;
      while (!inFlight.isEmpty()) {
        writeOldest();
      }
      if (last != null) {
        write(last);
      }
      out.write(Zlib.finalBlock(level));
      writeIntLe((int) crc);
      writeIntLe((int) length); // ISIZE: the length modulo 2^32
      out.flush();
    } finally {
      closed = true;
      abandon();
    }
  }

  /** Drops the bands still pending (the shared pool's threads stay for the next stream). */
  private void abandon() {
    inFlight.forEach(f -> f.cancel(false));
    inFlight.clear();
  }

  private void writeIntLe(int v) throws IOException {
    out.write(v);
    out.write(v >>> 8);
    out.write(v >>> 16);
    out.write(v >>> 24);
  }

  /**
   * The CRC-32 of A followed by B from the CRC-32s of A and B and B's length: B's length of zero
   * bytes is run through A's register as a linear map over GF(2) (a 32 x 32 bit matrix, squared
   * for each bit of the length), then B's CRC is added. The method of zlib's crc32_combine.
   */
  static long combine(long crcA, long crcB, long lengthB) {
    if (lengthB <= 0) {
      return crcA;
    }
    long[] odd = new long[32]; // the register after one zero bit
    odd[0] = 0xEDB88320L; // the reflected CRC-32 polynomial
    long row = 1;
    for (int n = 1; n < 32; n++) {
      odd[n] = row;
      row <<= 1;
    }
    long[] even = square(odd); // two zero bits
    odd = square(even); // four zero bits
    long a = crcA;
    long len = lengthB;
    do {
      // one zero byte is eight zero bits: the first square below makes 8
      even = square(odd);
      if ((len & 1) != 0) {
        a = times(even, a);
      }
      len >>= 1;
      if (len == 0) {
        break;
      }
      odd = square(even);
      if ((len & 1) != 0) {
        a = times(odd, a);
      }
      len >>= 1;
    } while (len != 0);
    return (a ^ crcB) & 0xFFFFFFFFL;
  }

  private static long times(long[] matrix, long vector) {
    long sum = 0;
    for (int i = 0; vector != 0; i++, vector >>>= 1) {
      if ((vector & 1) != 0) {
        sum ^= matrix[i];
      }
    }
    return sum;
  }

  private static long[] square(long[] matrix) {
    long[] sq = new long[32];
    for (int n = 0; n < 32; n++) {
      sq[n] = times(matrix, matrix[n]);
    }
    return sq;
  }
}
