package gradcam3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.zip.Adler32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/** Banded zlib streams read back with the JDK's own inflater, byte for byte. */
class ZlibTest {
  private static byte[] inflate(byte[] z) throws DataFormatException {
    Inflater in = new Inflater(); // zlib header and Adler-32 checked
    try {
      in.setInput(z);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      while (!in.finished()) {
        int n = in.inflate(buf);
        if (n == 0 && !in.finished() && (in.needsInput() || in.needsDictionary())) {
          throw new DataFormatException("truncated stream");
        }
        out.write(buf, 0, n);
      }
      assertEquals(0, in.getRemaining(), "nothing after the Adler-32");
      return out.toByteArray();
    } finally {
      in.end();
    }
  }

  /** Runs of repeated bytes and noise: what quantised scans and masks look like. */
  private static byte[] data(int n, long seed) {
    Random r = new Random(seed);
    byte[] d = new byte[n];
    for (int i = 0; i < n; ) {
      int run = 1 + r.nextInt(300);
      byte v = (byte) r.nextInt(256);
      boolean noisy = r.nextBoolean();
      for (int j = 0; j < run && i < n; j++, i++) {
        d[i] = noisy ? (byte) r.nextInt(256) : v;
      }
    }
    return d;
  }

  @Test
  void partsInBandsInflateToTheirConcatenation() throws Exception {
    for (int band : new int[] {1, 7, 4096, 1 << 18}) {
      for (int level : new int[] {Deflater.BEST_SPEED, 6}) {
        byte[] a = data(100_003, band);
        byte[] b = data(5_000, band + 1);
        byte[] c = new byte[0];
        Zlib z = new Zlib(level, band);
        z.add(a).add(c).add(b);
        byte[] whole = new byte[a.length + b.length];
        System.arraycopy(a, 0, whole, 0, a.length);
        System.arraycopy(b, 0, whole, a.length, b.length);
        assertArrayEquals(whole, inflate(z.finish()), "band " + band + ", level " + level);
      }
    }
  }

  /**
   * A part made band by band (as the report quantises its volumes while compressing them) gives
   * the same stream, byte for byte, as the whole part given at once; each band's Adler-32,
   * combined, is the checksum of the whole.
   */
  @Test
  void partsMadeBandByBandGiveTheSameStream() throws Exception {
    byte[] a = data(300_007, 11);
    byte[] b = data(70_000, 12);
    for (int band : new int[] {1000, 65_521, 1 << 16, 1 << 18}) {
      byte[] whole = new Zlib(Deflater.BEST_SPEED, band).add(a).add(new byte[0]).add(b).finish();
      Zlib.Source fromA = (from, to, into) -> System.arraycopy(a, from, into, 0, to - from);
      Zlib.Source fromB = (from, to, into) -> System.arraycopy(b, from, into, 0, to - from);
      byte[] made = new Zlib(Deflater.BEST_SPEED, band).add(a.length, fromA).add(0, fromA).add(b.length, fromB).finish();
      assertArrayEquals(whole, made, "band " + band);
      byte[] both = new byte[a.length + b.length];
      System.arraycopy(a, 0, both, 0, a.length);
      System.arraycopy(b, 0, both, a.length, b.length);
      assertArrayEquals(both, inflate(made), "band " + band);
    }
  }

  @Test
  void combinedAdlerIsTheAdlerOfTheConcatenation() {
    Random r = new Random(17);
    for (int trial = 0; trial < 60; trial++) {
      // lengths past the modulus 65521 and zero ones too
      byte[] a = new byte[trial % 10 == 0 ? 0 : r.nextInt(trial % 3 == 0 ? 200_000 : 3000)];
      byte[] b = new byte[trial % 7 == 0 ? 0 : r.nextInt(trial % 4 == 0 ? 150_000 : 3000)];
      r.nextBytes(a);
      r.nextBytes(b);
      if (trial % 5 == 0) {
        java.util.Arrays.fill(b, (byte) 0xFF); // the largest byte sums
      }
      Adler32 ca = new Adler32();
      ca.update(a);
      Adler32 cb = new Adler32();
      cb.update(b);
      Adler32 whole = new Adler32();
      whole.update(a);
      whole.update(b);
      assertEquals(whole.getValue(), Zlib.combineAdler(ca.getValue(), cb.getValue(), b.length), "trial " + trial);
      // the bands' sums are kept as ints (sign-extended when passed)
      assertEquals((int) whole.getValue(), (int) Zlib.combineAdler((int) ca.getValue(), (int) cb.getValue(), b.length),
          "trial " + trial);
    }
    // a cut at twice the modulus in bytes of 255, which drive both sums towards it
    byte[] high = new byte[200_000];
    java.util.Arrays.fill(high, (byte) 255);
    Adler32 whole = new Adler32();
    whole.update(high);
    Adler32 first = new Adler32();
    first.update(high, 0, 131_042);
    Adler32 second = new Adler32();
    second.update(high, 131_042, high.length - 131_042);
    assertEquals(whole.getValue(), Zlib.combineAdler(first.getValue(), second.getValue(), high.length - 131_042));
  }

  @Test
  void partsWithTheirAdlerGiveTheSameStream() {
    byte[] a = data(70_000, 1);
    byte[] b = data(3_000, 2);
    Adler32 cb = new Adler32();
    cb.update(b);
    byte[] computed = new Zlib(Deflater.BEST_SPEED, 4096).add(a).add(b).finish();
    byte[] given = new Zlib(Deflater.BEST_SPEED, 4096).add(a).add(b, cb.getValue()).finish();
    assertArrayEquals(computed, given);
    Adler32 ca = new Adler32();
    ca.update(a);
    assertArrayEquals(Zlib.compress(a, Deflater.BEST_SPEED, 4096), Zlib.compress(a, ca.getValue(), Deflater.BEST_SPEED, 4096));
  }

  @Test
  void anEmptyStreamAndFinishingTwiceAreValid() throws Exception {
    Zlib z = new Zlib(Deflater.BEST_SPEED, 10);
    byte[] once = z.finish();
    assertArrayEquals(once, z.finish());
    assertEquals(0, inflate(once).length);
    assertThrows(IllegalStateException.class, () -> z.add(new byte[1]));
  }

  @Test
  void bandsCostLittleAgainstOneDeflater() {
    byte[] d = data(1 << 21, 3);
    Deflater one = new Deflater(Deflater.BEST_SPEED);
    one.setInput(d);
    one.finish();
    byte[] buf = new byte[d.length + 1024];
    int single = one.deflate(buf);
    one.end();
    int banded = Zlib.compress(d, Deflater.BEST_SPEED, 1 << 18).length;
    assertTrue(banded < single * 1.02 + 64, banded + " bytes in bands against " + single + " in one stream");
  }
}
