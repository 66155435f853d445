package gradcam3d.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cache's hash: the same whatever the chunks the bytes stream in; every single-bit change and every length changes it. */
class Hash128Test {
  @Test
  void chunksDoNotMatterAndEveryBitDoes() {
    Random r = new Random(7);
    byte[] b = new byte[1000];
    r.nextBytes(b);
    String whole = new Hash128().update(b).hex();
    assertEquals(32, whole.length());
    for (int trial = 0; trial < 50; trial++) {
      Hash128 h = new Hash128();
      int at = 0;
      while (at < b.length) {
        int n = Math.min(b.length - at, r.nextInt(40));
        h.update(b, at, n);
        at += n;
      }
      assertEquals(whole, h.hex());
    }
    Set<String> seen = new HashSet<>();
    seen.add(whole);
    for (int bit = 0; bit < b.length * 8; bit++) {
      b[bit >> 3] ^= (byte) (1 << (bit & 7));
      seen.add(new Hash128().update(b).hex());
      b[bit >> 3] ^= (byte) (1 << (bit & 7));
    }
    assertEquals(b.length * 8 + 1, seen.size(), "every single-bit change gives another hash");
    Set<String> lengths = new HashSet<>();
    for (int n = 0; n <= 64; n++) {
      lengths.add(new Hash128().update(new byte[n]).hex());
    }
    assertEquals(65, lengths.size(), "zeros of each length differ");
    assertNotEquals(new Hash128().update(new byte[] {1}).hex(), new Hash128().update(new byte[] {0, 1}).hex());
  }
}
