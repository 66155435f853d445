package gradcam3d.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The map ranking against the definition: a stable sort by Float.compare, highest first. */
class RankingTest {
  private static int[] stableSortReference(float[] map) {
    Integer[] idx = new Integer[map.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (a, b) -> Float.compare(map[b], map[a]));
    return Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
  }

  @Test
  void byMapIsTheStableDescendingSort() {
    Random r = new Random(11);
    float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
        -Float.MIN_VALUE, 1f, -1f};
    float[] map = new float[5000];
    for (int i = 0; i < map.length; i++) {
      // few distinct values, so most voxels tie
      map[i] = i % 7 == 0 ? special[r.nextInt(special.length)] : (r.nextInt(21) - 10) / 4f;
    }
    assertArrayEquals(stableSortReference(map), Ranking.byMap(map));
    assertArrayEquals(new int[] {1, 3, 0, 2}, Ranking.byMap(new float[] {0.5f, 1f, 0.5f, 1f}));
  }
}
