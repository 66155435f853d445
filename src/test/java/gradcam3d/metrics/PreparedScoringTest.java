package gradcam3d.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gradcam3d.cam.Request;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Scoring prepared while the explanation runs gives exactly the curves scoring prepared afterwards gives. */
class PreparedScoringTest {
  @BeforeAll
  static void explainTheDemo() {
    DemoMetricsTest.explain();
  }

  @Test
  void preparedAndUnpreparedCurvesAreTheSame() {
    Evaluation.Settings how = Evaluation.Settings.defaults().withSteps(11).withRandomSeeds(1).withBatchSize(2);
    Map<String, gradcam3d.tensor.FloatTensor> inputs = Map.of("input", DemoMetricsTest.x);
    Evaluation plain = Evaluation.measure(DemoMetricsTest.model, DemoMetricsTest.request, inputs,
        DemoMetricsTest.explanation, null, how, DemoMetricsTest.OPTIONS);
    Evaluation early;
    try (PreparedScoring p = PreparedScoring.start(DemoMetricsTest.model, DemoMetricsTest.request, DemoMetricsTest.x,
        how, DemoMetricsTest.OPTIONS)) {
      early = Evaluation.measure(DemoMetricsTest.model, DemoMetricsTest.request, inputs, DemoMetricsTest.explanation,
          null, how, DemoMetricsTest.OPTIONS, p);
    }
    FaithfulnessCurves a = plain.samples().get(0).curves();
    FaithfulnessCurves b = early.samples().get(0).curves();
    assertArrayEquals(a.deletion(), b.deletion());
    assertArrayEquals(a.insertion(), b.insertion());
    assertArrayEquals(a.randomDeletion(), b.randomDeletion());
    assertEquals(a.baselineScore(), b.baselineScore());
  }

  @Test
  void whatFailsWhilePreparingSurfacesWhenTheScoringIsNeeded() {
    // model output 5 of a single-output model: opening the programs fails on the preparing thread
    Request bad = new Request(List.of(LayerSpec.named("up2")), DemoMetricsTest.request.method(),
        List.of(Target.parse("1")), 5, DemoMetricsTest.request.score(), false, 1, gradcam3d.cam.Progress.NONE);
    try (PreparedScoring p = PreparedScoring.start(DemoMetricsTest.model, bad, DemoMetricsTest.x,
        Evaluation.Settings.defaults(), DemoMetricsTest.OPTIONS)) {
      RuntimeException e = assertThrows(RuntimeException.class, p::programs);
      assertThrows(RuntimeException.class, () -> p.baseline(Baseline.BLUR));
      assertEquals(e.getClass(), assertThrows(RuntimeException.class, p::programs).getClass());
    }
  }
}
