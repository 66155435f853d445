package gradcam3d.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A 128-bit non-cryptographic hash computed while bytes stream past (two 64-bit lanes of
 * multiply-rotate steps over 8-byte words, MurmurHash3's constants, and its final mix). For
 * telling a damaged or swapped cache entry from the one that was stored: every step is a
 * bijection of the lane's state, so a change confined to one word always changes the hash, and
 * other changes collide with probability about 2^-128. Not a defence against someone who can
 * write the cache folder (they could write any program); SHA-256 would cost a cold start of the
 * C1-only launcher about 50-150 ms to load and 45-60 ms per MB (measured, docs/benchmarks.md),
 * this about 3 ms per MB.
 */
final class Hash128 {
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;

  private long h1 = 0x9e3779b97f4a7c15L;
  private long h2 = 0xc2b2ae3d27d4eb4fL;
  private long length;
  private final byte[] pending = new byte[16];
  private int pendingLength;

  /** Feeds {@code len} bytes of {@code b} from {@code off}. */
  Hash128 update(byte[] b, int off, int len) {
    length += len;
    int i = off;
    int end = off + len;
    if (pendingLength > 0) {
      int take = Math.min(16 - pendingLength, len);
      System.arraycopy(b, i, pending, pendingLength, take);
      pendingLength += take;
      i += take;
      if (pendingLength < 16) {
        return this;
      }
      block(ByteBuffer.wrap(pending).order(ByteOrder.LITTLE_ENDIAN), 0);
      pendingLength = 0;
    }
    ByteBuffer words = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    for (; i + 16 <= end; i += 16) {
      block(words, i);
    }
    System.arraycopy(b, i, pending, 0, end - i);
    pendingLength = end - i;
    return this;
  }

  Hash128 update(byte[] b) {
    return update(b, 0, b.length);
  }

  private void block(ByteBuffer words, int at) {
    h1 = Long.rotateLeft(h1 ^ Long.rotateLeft(words.getLong(at) * C1, 31) * C2, 27) * 5 + 0x52dce729;
    h2 = Long.rotateLeft(h2 ^ Long.rotateLeft(words.getLong(at + 8) * C2, 33) * C1, 31) * 5 + 0x38495ab5;
  }

  /** The hash of everything fed, as 32 hex digits; the state is not changed. */
  String hex() {
    long a = h1;
    long b = h2;
    for (int i = 0; i < pendingLength; i++) {
      // the tail byte by byte, each a step of its lane
      if (i < 8) {
        a = Long.rotateLeft(a ^ ((pending[i] & 0xffL) + 1) * C1, 29) * C2;
      } else {
        b = Long.rotateLeft(b ^ ((pending[i] & 0xffL) + 1) * C2, 29) * C1;
      }
    }
    a ^= length;
    b ^= length;
    a += b;
    b += a;
    a = mix(a);
    b = mix(b);
    a += b;
    b += a;
    return hex16(a) + hex16(b);
  }

  private static long mix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    return k ^ (k >>> 33);
  }

  private static String hex16(long v) {
    String h = Long.toHexString(v);
    return "0".repeat(16 - h.length()) + h;
  }
}
