package gradcam3d.window;

import gradcam3d.cam.Request;
import gradcam3d.cam.methods.CamMethods;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two lanes (2 threads: two single-threaded sessions per pass) give exactly the floats of one lane
 * (1 thread): every batch runs whole on one session and is summed in window order. Pass 2 starts at
 * the layer here (streamed after pass 1); the same holds with pass 2 from the input.
 */
class SlidingWindowLanesTest {
  record Run(WindowedExplanation result, List<Integer> observed) {}

  static Run explain(SlidingFixtures.Case c, String method, int threads, int windowBatch) {
    return explain(c, method, threads, windowBatch, true);
  }

  static Run explain(SlidingFixtures.Case c, String method, int threads, int windowBatch, boolean fromLayer) {
    FloatTensor x = Npy.read(c.input("npy"));
    Target target = Target.parse(Integer.toString(c.targetClass()));
    Request req = Request.of(LayerSpec.names(c.layer()), CamMethods.byName(method), target);
    SlidingWindowExplainer.Settings settings = SlidingWindowFixtureTest.settings(c).withWindowBatch(windowBatch);
    List<Integer> observed = new ArrayList<>();
    Thread caller = Thread.currentThread();
    try (SlidingWindowExplainer sw = new SlidingWindowExplainer(ModelIO.read(c.model()), req, settings,
        new RuntimeOptions(threads), fromLayer)) {
      WindowedExplanation w = sw.explain(x, target, (t, start, batch, item) -> {
        assertSame(caller, Thread.currentThread(), "observer on the calling thread");
        observed.add(t);
      });
      return new Run(w, observed);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, -1, -2})
  void twoLanesEqualOneLaneExactly(int batchAndPath) {
    // negative: the same window batch with pass 2 from the input
    int windowBatch = Math.abs(batchAndPath);
    boolean fromLayer = batchAndPath > 0;
    SlidingFixtures.Case c = SlidingFixtures.cases().get(0);
    Run one = explain(c, "gradcam", 1, windowBatch, fromLayer);
    Run two = explain(c, "gradcam", 2, windowBatch, fromLayer);
    assertEquals(fromLayer ? "layer" : "input (turned off)", one.result().pass2From());
    assertEquals(one.result().pass2From(), two.result().pass2From());
    WindowedExplanation a = one.result();
    WindowedExplanation b = two.result();
    assertEquals(c.starts().size(), a.windowsRun(), c + ": every window runs");
    assertArrayEquals(a.prediction().data(), b.prediction().data(), "blended prediction");
    assertArrayEquals(a.segmentation().toFloatTensor().data(), b.segmentation().toFloatTensor().data(), "segmentation");
    assertArrayEquals(a.explanation().layers().get(0).cam().data(), b.explanation().layers().get(0).cam().data(),
        "layer map");
    assertArrayEquals(a.explanation().cam().data(), b.explanation().cam().data(), "map");
    assertArrayEquals(a.explanation().targetValues().data(), b.explanation().targetValues().data(), "target value");
    List<Integer> inOrder = new ArrayList<>();
    for (int t = 0; t < a.windowsRun(); t++) {
      inOrder.add(t);
    }
    assertEquals(inOrder, one.observed());
    assertEquals(inOrder, two.observed(), "observer sees the windows in window order");
  }
}
