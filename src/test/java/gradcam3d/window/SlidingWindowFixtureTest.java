package gradcam3d.window;

import gradcam3d.cam.Request;
import gradcam3d.cam.methods.CamMethods;
import static gradcam3d.testing.SettingsEdits.withBlend;
import static gradcam3d.testing.SettingsEdits.withPrediction;
import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.cam.Explanation;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every sliding-window reference case through the library: grid, prediction, window 0, cam per method;
 * with one lane and with two.
 */
class SlidingWindowFixtureTest {
  /** Each case and method with 1 thread (one lane) and 2 threads (two lanes side by side). */
  static Stream<Arguments> casesAndMethods() {
    return SlidingFixtures.cases().stream().flatMap(c -> c.methods().stream()
        .flatMap(m -> Stream.of(Arguments.of(c, m, 1), Arguments.of(c, m, 2))));
  }

  static SlidingWindowExplainer.Settings settings(SlidingFixtures.Case c) {
    return withPrediction(withBlend(SlidingWindowExplainer.Settings.of(c.window()).withOverlap(c.overlap()),
        Blend.parse(c.blend())), true).withWindowBatch(3);
  }

  @ParameterizedTest
  @MethodSource("casesAndMethods")
  void matchesPytorch(SlidingFixtures.Case c, String method, int threads) {
    FloatTensor x = Npy.read(c.input("npy"));
    Target target = Target.parse(Integer.toString(c.targetClass()));
    Request req = Request.builder(LayerSpec.names(c.layer()), CamMethods.byName(method), target)
        .keepTensors(true).build();
    FloatTensor[] window0 = new FloatTensor[2];
    try (SlidingWindowExplainer sw = new SlidingWindowExplainer(ModelIO.read(c.model()), req, settings(c),
        new RuntimeOptions(threads))) {
      WindowedExplanation w = sw.explain(x, target, (t, start, batch, item) -> {
        if (t == 0) {
          Explanation.LayerMap l = batch.layers().get(0);
          window0[0] = l.activation().slice0(item);
          window0[1] = l.gradient().slice0(item);
        }
      });
      List<long[]> starts = c.starts();
      assertEquals(starts.size(), w.grid().size(), c + ": windows");
      for (int t = 0; t < starts.size(); t++) {
        assertArrayEquals(starts.get(t), w.grid().start(t), c + ": start of window " + t);
      }
      FloatTensor refPrediction = c.prediction();
      double predErr = maxAbsDiff(w.prediction(), refPrediction);
      FloatTensor refA = c.window0("activation");
      FloatTensor refG = c.window0("gradient");
      double aErr = maxAbsDiff(window0[0], refA.slice0(0));
      double gErr = maxAbsDiff(window0[1], refG.slice0(0));
      double camErr = maxAbsDiff(w.explanation().cam(), c.cam(method));
      double value = w.explanation().targetValues().data()[0];
      System.out.printf("%-28s %-10s %d thr  prediction %.2e (max %.2e)  A0 %.2e  G0 %.2e (max %.2e)  cam %.2e  "
          + "T %.4f (ref %.4f)  windows %d run, %d skipped%n", c, method, threads, predErr, maxAbs(refPrediction), aErr,
          gErr, maxAbs(refG), camErr, value, c.targetValue(), w.windowsRun(), w.windowsSkipped());
      assertTrue(predErr <= 1e-3 * maxAbs(refPrediction), c + ": prediction max|diff| " + predErr);
      assertTrue(aErr <= 1e-3 * maxAbs(refA), c + ": window 0 activation max|diff| " + aErr);
      assertTrue(gErr <= 1e-3 * maxAbs(refG), c + ": window 0 gradient max|diff| " + gErr);
      assertTrue(camErr <= 2e-3, c + " " + method + ": cam max|diff| " + camErr);
      assertEquals(c.targetValue(), value, 1e-4 * Math.abs(c.targetValue()), c + ": target value");
      assertEquals(c.predictedVoxels(), w.explanation().regionVoxels()[0], c + ": predicted voxels");
    }
  }
}
