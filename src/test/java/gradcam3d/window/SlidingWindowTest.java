package gradcam3d.window;

import gradcam3d.cam.Request;
import gradcam3d.cam.methods.CamMethods;
import static gradcam3d.testing.SettingsEdits.withPadValue;
import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import gradcam3d.volume.Npy;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One window equals the ordinary explanation; padding; bad windows. */
class SlidingWindowTest {
  static final SlidingFixtures.Case CASE = SlidingFixtures.cases().get(0);

  static ModelProto model() {
    return ModelIO.read(CASE.model());
  }

  static FloatTensor input() {
    return Npy.read(CASE.input("npy"));
  }

  /** A window covering the whole volume gives the ordinary explanation, for every kind of method. */
  @ParameterizedTest
  @ValueSource(strings = {"gradcam", "gradcam++", "eigencam", "eigengradcam", "scorecam", "ablationcam"})
  void oneWindowIsTheOrdinaryExplanation(String method) {
    FloatTensor x = input();
    Target target = Target.parse("2");
    Request req = Request.builder(LayerSpec.names("up2"), CamMethods.byName(method), target)
        .batchSize(8).build();
    try (Explainer ex = new Explainer(model(), req, new RuntimeOptions(2));
        SlidingWindowExplainer sw = new SlidingWindowExplainer(model(), req,
            SlidingWindowExplainer.Settings.of(new long[] {40, 56, 48}), new RuntimeOptions(2))) {
      Explanation plain = ex.explain(Map.of("input", x));
      WindowedExplanation w = sw.explain(x, target);
      double err = maxAbsDiff(w.explanation().cam(), plain.cam());
      System.out.printf("one window, %-12s cam max|diff| %.2e%n", method, err);
      assertEquals(1, w.windowsRun());
      assertTrue(err <= 1e-5, method + ": cam max|diff| " + err);
      assertEquals(plain.targetValues().data()[0], w.explanation().targetValues().data()[0], 1e-3);
      assertEquals(plain.regionVoxels()[0], w.explanation().regionVoxels()[0]);
    }
  }

  /** Several layers: one map per layer and their aggregate, as without windows. */
  @Test
  void oneWindowAggregatesLayersLikeTheOrdinaryExplanation() {
    FloatTensor x = input();
    Target target = Target.parse("1");
    Request req = Request.of(LayerSpec.names("down3", "up2"), CamMethods.byName("layercam"),
        target);
    try (Explainer ex = new Explainer(model(), req, new RuntimeOptions(2));
        SlidingWindowExplainer sw = new SlidingWindowExplainer(model(), req,
            SlidingWindowExplainer.Settings.of(new long[] {40, 56, 48}), new RuntimeOptions(2))) {
      Explanation plain = ex.explain(Map.of("input", x));
      Explanation w = sw.explain(x, target).explanation();
      assertEquals(2, w.layers().size());
      for (int i = 0; i < 2; i++) {
        double err = maxAbsDiff(w.layers().get(i).cam(), plain.layers().get(i).cam());
        assertTrue(err <= 1e-5, "layer " + i + ": cam max|diff| " + err);
      }
      double err = maxAbsDiff(w.cam(), plain.cam());
      assertTrue(err <= 1e-5, "aggregate: cam max|diff| " + err);
    }
  }

  /**
   * An axis shorter than the window of a model with a fixed input size is padded with the pad
   * value and cropped back: the same map as explaining the explicitly padded volume with the
   * target restricted to the original voxels.
   */
  @Test
  void paddingEqualsTheExplicitlyPaddedVolume() {
    FloatTensor full = input();
    long[] small = {20, 56, 40};
    FloatTensor x = crop(full, small);
    long[] window = {24, 32, 48};
    float pad = -0.5f;
    FloatTensor padded = padTo(x, new long[] {24, 56, 48}, pad);
    float[] inside = new float[24 * 56 * 48];
    for (int i = 0; i < inside.length; i++) {
      long[] c = Shapes.unravel(i, new long[] {24, 56, 48});
      inside[i] = c[0] < small[0] && c[2] < small[2] ? 1f : 0f;
    }
    Request req = Request.of(LayerSpec.names("up2"), CamMethods.byName("gradcam"),
        Target.parse("2:all"));
    SlidingWindowExplainer.Settings s = withPadValue(SlidingWindowExplainer.Settings.of(window), pad);
    // a model fixed at the window's size pads (a dynamic one takes the scan's size: WindowLimitsTest)
    ModelProto fixed = gradcam3d.testing.ModelEdits.fixedInput(model(), Shapes.concat(new long[] {1, 1}, window));
    try (SlidingWindowExplainer sw = new SlidingWindowExplainer(fixed, req, s, new RuntimeOptions(2))) {
      WindowedExplanation w = sw.explain(x, Target.parse("2:all"));
      Target mask = Target.parse("2:mask=inside").withMask(new FloatTensor(inside, 24, 56, 48));
      WindowedExplanation ref = sw.explain(padded, mask);
      FloatTensor expected = minMax(crop(ref.explanation().cam(), Shapes.concat(new long[] {1}, small)));
      double err = maxAbsDiff(w.explanation().cam(), expected);
      System.out.printf("padding: %d windows, cam max|diff| %.2e%n", w.grid().size(), err);
      assertTrue(w.grid().needsPadding());
      assertTrue(maxAbs(w.explanation().cam()) == 1f, "a map that is not all zero");
      assertEquals(3, w.grid().size());
      assertTrue(err <= 1e-5, "cam max|diff| " + err);
      assertEquals(ref.explanation().targetValues().data()[0], w.explanation().targetValues().data()[0], 1e-3);
    }
  }

  @Test
  void badWindowsAreOneLineErrors() {
    Request req = Request.of(LayerSpec.names("down3"), CamMethods.byName("gradcam"),
        Target.parse("1"));
    FloatTensor x = input();
    String stride = message(() -> run(model(), req, SlidingWindowExplainer.Settings.of(new long[] {24, 30, 32}), x,
        Target.parse("1")));
    assertTrue(stride.contains("is not a multiple of 4, the network's total stride")
        && stride.contains("24,28,32 or 24,32,32"), stride);
    String overlap = message(() -> SlidingWindowExplainer.Settings.of(new long[] {24, 32, 32}).withOverlap(1.0));
    assertTrue(overlap.contains("--overlap must be in [0, 1)"), overlap);
    String box = message(() -> run(model(), req, SlidingWindowExplainer.Settings.of(new long[] {24, 32, 32}), x,
        Target.parse("1:box=0,0,0,10,10,60")));
    assertTrue(box.contains("outside the output grid"), box);
    String auto = message(() -> WindowFit.auto(model()));
    assertTrue(auto.contains("--window auto needs a model with a fixed input size"), auto);
    ModelProto fixed = gradcam3d.testing.ModelEdits.fixedInput(model(), new long[] {1, 1, 24, 32, 32});
    assertEquals(List.of(24L, 32L, 32L), Arrays.stream(WindowFit.auto(fixed)).boxed().toList());
    String tooBig = message(() -> run(fixed, req, SlidingWindowExplainer.Settings.of(new long[] {40, 56, 48}), x,
        Target.parse("1")));
    assertTrue(tooBig.contains("fixed at [1, 1, 24, 32, 32]") && tooBig.contains("--window 24,32,32"), tooBig);
    for (String m : List.of(stride, overlap, box, auto, tooBig)) {
      assertTrue(!m.contains("\n"), m);
    }
  }

  private static void run(ModelProto m, Request req, SlidingWindowExplainer.Settings s, FloatTensor x,
      Target t) {
    try (SlidingWindowExplainer sw = new SlidingWindowExplainer(m, req, s, new RuntimeOptions(2))) {
      sw.explain(x, t);
    }
  }

  private static String message(Runnable r) {
    return assertThrows(Gradcam3dException.class, r::run).getMessage();
  }

  /** The leading corner of t [B, C, *S] (or [B, *S]) with the trailing axes cut to {@code size}. */
  static FloatTensor crop(FloatTensor t, long[] size) {
    long[] s = t.shape();
    long[] out = s.clone();
    System.arraycopy(size, 0, out, out.length - size.length, size.length);
    float[] d = new float[(int) Shapes.numel(out)];
    long[] str = Shapes.strides(s);
    for (int i = 0; i < d.length; i++) {
      long[] c = Shapes.unravel(i, out);
      long src = 0;
      for (int a = 0; a < c.length; a++) {
        src += c[a] * str[a];
      }
      d[i] = t.data()[(int) src];
    }
    return new FloatTensor(d, out);
  }

  static FloatTensor padTo(FloatTensor t, long[] spatial, float value) {
    long[] s = t.shape();
    long[] out = Shapes.concat(new long[] {s[0], s[1]}, spatial);
    float[] d = new float[(int) Shapes.numel(out)];
    Arrays.fill(d, value);
    long[] str = Shapes.strides(out);
    for (int i = 0; i < t.size(); i++) {
      long[] c = Shapes.unravel(i, s);
      long dst = 0;
      for (int a = 0; a < c.length; a++) {
        dst += c[a] * str[a];
      }
      d[(int) dst] = t.data()[i];
    }
    return new FloatTensor(d, out);
  }

  static FloatTensor minMax(FloatTensor t) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float v : t.data()) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    float[] d = new float[t.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = (t.data()[i] - min) / (max - min);
    }
    return new FloatTensor(d, t.shape());
  }
}
