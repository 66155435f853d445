package gradcam3d.window;

import gradcam3d.cam.Request;
import gradcam3d.cam.methods.CamMethods;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.OptionValueException;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Limits of the sliding-window plan: a window batch beyond the number of windows, overlaps so
 * close to 1 that neighbouring windows share their start, windows larger than the scan, windows
 * whose runs would not fit in memory; and the phase timings are never negative.
 */
class WindowLimitsTest {
  private static final ModelProto MODEL = SlidingWindowTest.model(); // dynamic, total stride 4
  private static final FloatTensor X = SlidingWindowTest.input(); // [1, 1, 40, 56, 48]
  private static final Request REQUEST =
      Request.of(LayerSpec.names("up2"), CamMethods.byName("gradcam"), Target.parse("2"));

  private static WindowedExplanation explain(SlidingWindowExplainer.Settings s) {
    try (SlidingWindowExplainer sw = new SlidingWindowExplainer(MODEL, REQUEST, s, new RuntimeOptions(2))) {
      return sw.explain(X, Target.parse("2"));
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aWindowBatchBeyondTheWindowsIsCappedAtThem() {
    SlidingWindowExplainer.Settings s = SlidingWindowExplainer.Settings.of(new long[] {24, 32, 32});
    WindowedExplanation four = explain(s.withWindowBatch(4));
    WindowedExplanation huge = explain(s.withWindowBatch(2147483600));
    assertEquals(18, huge.grid().size());
    double err = maxAbsDiff(huge.explanation().cam(), four.explanation().cam());
    assertTrue(err <= 1e-5, "cam max|diff| " + err);
    WindowedExplanation.Timings t = huge.timings();
    for (double ms : new double[] {t.predictMs(), t.explainMs(), t.stitchMs(), t.finishMs()}) {
      assertTrue(ms >= 0, "timings " + t);
    }
    t = four.timings();
    for (double ms : new double[] {t.predictMs(), t.explainMs(), t.stitchMs(), t.finishMs()}) {
      assertTrue(ms >= 0, "timings " + t);
    }
  }

  @Test
  void startsCloserThanAVoxelAreOneStart() {
    long[] s = WindowGrid.starts(48, 16, 0.99);
    assertEquals(33, s.length, Arrays.toString(s));
    for (int i = 0; i < s.length; i++) {
      assertEquals(i, s[i]);
    }
    assertEquals(5, WindowGrid.starts(20, 16, 0.9999999999).length);
    assertArrayEquals(new long[] {0, 16, 32}, WindowGrid.starts(48, 16, 0));
    // within the limit: every window once
    WindowGrid g = WindowGrid.of(new long[] {40, 48, 48}, new long[] {32, 32, 32}, 0.875);
    assertArrayEquals(new long[] {3, 5, 5}, g.counts());
  }

  @Test
  void plansBeyondTheLimitAreRefused() {
    for (double overlap : new double[] {0.99, 0.9999999999}) {
      OptionValueException e = assertThrows(OptionValueException.class,
          () -> WindowGrid.of(new long[] {40, 48, 48}, new long[] {16, 16, 16}, overlap));
      assertTrue(e.getMessage().contains("27225 windows") && e.getMessage().contains("--overlap"), e.getMessage());
    }
    OptionValueException many = assertThrows(OptionValueException.class,
        () -> WindowGrid.of(new long[] {512, 512, 512}, new long[] {4, 4, 4}, 0));
    assertTrue(many.getMessage().contains("2097152 windows"), many.getMessage());
  }

  @Test
  void aWindowLargerThanTheScanIsClampedForADynamicModel() {
    assertArrayEquals(new long[] {40, 56, 48},
        WindowFit.clamped(MODEL, new long[] {256, 256, 256}, new long[] {40, 56, 48}, 1));
    assertArrayEquals(new long[] {40, 8, 8},
        WindowFit.clamped(MODEL, new long[] {1048576, 8, 8}, new long[] {40, 56, 48}, 1));
    // the scan rounded up to the network's stride (4): 37 -> 40
    assertArrayEquals(new long[] {40, 56, 48},
        WindowFit.clamped(MODEL, new long[] {4096, 4096, 4096}, new long[] {37, 56, 48}, 1));
    ModelProto fixed = gradcam3d.testing.ModelEdits.fixedInput(MODEL, new long[] {1, 1, 24, 32, 32});
    assertArrayEquals(new long[] {24, 32, 32},
        WindowFit.clamped(fixed, new long[] {24, 32, 32}, new long[] {16, 16, 16}, 1), "a fixed model's own size");

    WindowedExplanation whole = explain(SlidingWindowExplainer.Settings.of(new long[] {40, 56, 48}));
    WindowedExplanation clamped = explain(SlidingWindowExplainer.Settings.of(new long[] {4096, 4096, 4096}));
    assertArrayEquals(new long[] {40, 56, 48}, clamped.grid().window());
    assertArrayEquals(new long[] {4096, 4096, 4096}, clamped.requestedWindow());
    assertNull(whole.requestedWindow());
    assertEquals(0, maxAbsDiff(clamped.explanation().cam(), whole.explanation().cam()), 1e-6);
  }

  @Test
  void windowsThatWouldNotFitInMemoryAreRefusedBeforeRunning() {
    long need = WindowFit.estimatedBytes(MODEL, new long[] {24, 32, 32}, 1, 2, new long[] {40, 56, 48}, 3, 1);
    assertTrue(need > 24 * 32 * 32 * 4 * 8, "at least the first layer's activations: " + need);
    WindowFit.checkMemory(MODEL, new long[] {24, 32, 32}, 1, 2, new long[] {40, 56, 48}, 3, 1, need * 2);
    OptionValueException e = assertThrows(OptionValueException.class, () -> WindowFit.checkMemory(MODEL,
        new long[] {24, 32, 32}, 1, 2, new long[] {40, 56, 48}, 3, 1, need / 2));
    assertTrue(e.getMessage().contains("--window 24,32,32") && e.getMessage().contains("GB"), e.getMessage());
  }
}
