package gradcam3d.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.OptionValueException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ShardTest {
  private static List<String> cohort(int n, Random rnd) {
    List<String> cases = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      cases.add("/data/site" + rnd.nextInt(4) + "/case" + Integer.toString(rnd.nextInt(1_000_000), 36) + "_" + i
          + ".nii.gz");
    }
    return cases;
  }

  @Test
  void sharesArePartitionOfTheCasesStableUnderReorderingAndBalanced() {
    Random rnd = new Random(13);
    for (int trial = 0; trial < 200; trial++) {
      List<String> cases = cohort(rnd.nextInt(60), rnd);
      int n = 1 + rnd.nextInt(9);
      List<String> shuffled = new ArrayList<>(cases);
      Collections.shuffle(shuffled, rnd);
      Map<String, Integer> owner = new HashMap<>();
      for (int i = 1; i <= n; i++) {
        Shard s = new Shard(i, n);
        List<String> mine = s.select(cases, Function.identity());
        assertEquals(mine, s.select(shuffled, Function.identity()), "same share whatever the listing order");
        int expected = cases.size() / n + (i <= cases.size() % n ? 1 : 0);
        assertEquals(expected, mine.size(), "share sizes differ by at most one");
        for (String c : mine) {
          Integer before = owner.put(c, i);
          assertEquals(null, before, c + " is in shares " + before + " and " + i);
        }
      }
      assertEquals(cases.size(), owner.size(), "every case is in some share");
    }
  }

  @Test
  void stableOrderIsByPathText() {
    assertEquals(List.of("a/1.npy", "a/2.npy", "b/0.npy"),
        Shard.stableOrder(List.of("b/0.npy", "a/2.npy", "a/1.npy"), Function.identity()));
    assertEquals(List.of("a/1.npy", "b/0.npy"), new Shard(1, 2).select(List.of("b/0.npy", "a/2.npy", "a/1.npy"),
        Function.identity()));
  }

  @Test
  void parsesIOverNAndRefusesTheRestInOneLine() {
    assertEquals(new Shard(3, 8), Shard.parse(" 3/8 "));
    assertEquals(Shard.ALL, Shard.parse("1/1"));
    for (String bad : List.of("0/4", "5/4", "1/0", "2", "a/b", "1/2/3", "", "-1/2")) {
      OptionValueException e = assertThrows(OptionValueException.class, () -> Shard.parse(bad), bad);
      assertTrue(e.getMessage().startsWith("--shard must be I/N") && !e.getMessage().contains("\n"), e.getMessage());
    }
  }
}
