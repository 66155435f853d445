package gradcam3d.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.runtime.Lanes;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import java.util.Arrays;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Scoring in parallel lanes gives every volume exactly the score one session gives it. */
class TargetScorerLanesTest {
  static final int VOLUMES = 7;
  static FloatTensor base;
  static int[] order;

  @BeforeAll
  static void explain() {
    DemoMetricsTest.explain();
    base = Baseline.BLUR.of(DemoMetricsTest.x);
    order = Ranking.byMap(DemoMetricsTest.explanation.cam().data());
  }

  /** Volume j: the top j/(VOLUMES-1) of the map's voxels deleted, so every score differs. */
  private static FloatTensor volume(int j) {
    int k = FaithfulnessCurves.topCount(order.length, j, VOLUMES);
    return FaithfulnessCurves.perturbed(DemoMetricsTest.x, base, order, k);
  }

  private static double[] scores(int threads, int batch, IntFunction<FloatTensor> volumes) {
    try (TargetScorer s = new TargetScorer(DemoMetricsTest.model, DemoMetricsTest.request,
        DemoMetricsTest.explanation, 0, batch, new RuntimeOptions(threads))) {
      return s.scores(VOLUMES, volumes);
    }
  }

  /** How many sessions score side by side with this many threads (the scorer's programs split into {@link Lanes}). */
  private static int lanes(int threads) {
    return Lanes.count(threads);
  }

  @Test
  void lanesAndBatchSizesGiveIdenticalScores() {
    assertEquals(1, lanes(1));
    assertEquals(2, lanes(2));
    double[] one = scores(1, 1, TargetScorerLanesTest::volume);
    assertTrue(Arrays.stream(one).distinct().count() == VOLUMES, "distinct volumes score differently: "
        + Arrays.toString(one));
    assertEquals(DemoMetricsTest.explanation.targetValues().data()[0], one[0], 0.0,
        "volume 0 is the unperturbed input, scored as the explanation scored it");
    for (int batch : new int[] {1, 2, 3}) {
      assertArrayEquals(one, scores(2, batch, TargetScorerLanesTest::volume), "2 lanes, batch " + batch);
    }
    assertArrayEquals(one, scores(3, 2, TargetScorerLanesTest::volume), "lanes of 2 and 1 threads");
  }

  @Test
  void aFailureInAnyLaneIsReported() {
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> scores(2, 1, j -> {
      if (j == 4) {
        throw new Gradcam3dException("volume 4 is broken");
      }
      return volume(j);
    }));
    assertEquals("volume 4 is broken", e.getMessage());
  }
}
