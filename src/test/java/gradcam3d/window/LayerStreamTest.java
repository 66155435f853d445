package gradcam3d.window;

import gradcam3d.cam.Request;
import gradcam3d.cam.methods.CamMethods;
import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.cam.Explainer;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pass 2 from the layer (fed the tensors crossing the layer's cut, streamed after pass 1) gives the
 * maps and target values of pass 2 from the window's input, to float32 noise, on the fixture U-Nets;
 * and the cases that cannot start at the layer fall back to the input.
 */
class LayerStreamTest {
  static WindowedExplanation explain(SlidingFixtures.Case c, List<String> layers, String method, String target,
      boolean fromLayer, int threads, int windowBatch) {
    FloatTensor x = Npy.read(c.input("npy"));
    Target t = target(target, x);
    Request req = Request.builder(LayerSpec.names(layers), CamMethods.byName(method), t)
        .batchSize(4).build();
    SlidingWindowExplainer.Settings settings = SlidingWindowFixtureTest.settings(c).withWindowBatch(windowBatch);
    try (SlidingWindowExplainer sw = new SlidingWindowExplainer(ModelIO.read(c.model()), req, settings,
        new RuntimeOptions(threads), fromLayer)) {
      return sw.explain(x, t);
    }
  }

  /** A target; "mask" is a ball-shaped mask of class 1 in the volume's middle. */
  static Target target(String spec, FloatTensor x) {
    if (!spec.equals("mask")) {
      return Target.parse(spec);
    }
    long[] s = x.shape();
    int z = (int) s[2];
    int y = (int) s[3];
    int w = (int) s[4];
    float[] m = new float[z * y * w];
    for (int i = 0; i < z; i++) {
      for (int j = 0; j < y; j++) {
        for (int k = 0; k < w; k++) {
          double d = Math.pow((i - z / 2.0) / 6, 2) + Math.pow((j - y / 2.0) / 9, 2) + Math.pow((k - w / 2.0) / 9, 2);
          m[(i * y + j) * w + k] = d <= 1 ? 1f : 0f;
        }
      }
    }
    return Target.parse("1:mask=ball").withMask(new FloatTensor(m, s[2], s[3], s[4]));
  }

  static Stream<Arguments> cases() {
    Stream<Arguments> methods = SlidingFixtures.cases().stream().flatMap(c -> c.methods().stream()
        .map(m -> Arguments.of(c, m, Integer.toString(c.targetClass()))));
    SlidingFixtures.Case first = SlidingFixtures.cases().get(0);
    return Stream.concat(methods, Stream.of(Arguments.of(first, "eigengradcam", "1"),
        Arguments.of(first, "gradcam", "2:box=4,8,8,30,40,30"), Arguments.of(first, "hirescam", "mask"),
        Arguments.of(first, "gradcam", "1:voxel=20,28,24"), Arguments.of(first, "layercam", "2:all")));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void fromTheLayerEqualsFromTheInput(SlidingFixtures.Case c, String method, String target) {
    WindowedExplanation input = explain(c, List.of(c.layer()), method, target, false, 1, 1);
    WindowedExplanation layer = explain(c, List.of(c.layer()), method, target, true, 2, 1);
    assertEquals("input (turned off)", input.pass2From());
    assertEquals("layer", layer.pass2From(), c + " " + method);
    assertEquals(input.windowsRun(), layer.windowsRun(), "windows run");
    assertEquals(input.windowsSkipped(), layer.windowsSkipped(), "windows skipped");
    assertArrayEquals(input.segmentation().toFloatTensor().data(), layer.segmentation().toFloatTensor().data(), "segmentation");
    assertArrayEquals(input.prediction().data(), layer.prediction().data(), "blended prediction");
    assertArrayEquals(input.explanation().regionVoxels(), layer.explanation().regionVoxels(), "region voxels");
    double camRel = relative(input.explanation().layers().get(0).cam(), layer.explanation().layers().get(0).cam());
    double mapRel = relative(input.explanation().cam(), layer.explanation().cam());
    float t0 = input.explanation().targetValues().data()[0];
    float t1 = layer.explanation().targetValues().data()[0];
    System.out.printf("%-28s %-12s %-22s %2d windows run: summed map rel diff %.1e, final map %.1e, target %.6g vs %.6g%n",
        c, method, target, layer.windowsRun(), camRel, mapRel, t0, t1);
    assertTrue(camRel <= 1e-5, c + " " + method + " " + target + ": summed map relative diff " + camRel);
    assertTrue(mapRel <= 1e-5, c + " " + method + " " + target + ": map relative diff " + mapRel);
    assertEquals(t0, t1, 1e-5 * Math.abs(t0), "target value");
  }

  /** max |a - b| / max |a|. */
  static double relative(FloatTensor a, FloatTensor b) {
    return maxAbsDiff(a, b) / Math.max(maxAbs(a), Float.MIN_NORMAL);
  }

  /** The layers of the fixture cases are read again after the layer: their cuts carry skip connections. */
  @Test
  void theCutCarriesTheSkipConnections() {
    for (SlidingFixtures.Case c : SlidingFixtures.cases()) {
      ModelProto m = ModelIO.read(c.model());
      long[] shape = Npy.read(c.input("npy")).shape();
      shape[0] = 1;
      long[] w = c.window();
      Map<String, long[]> one = Map.of("input", new long[] {1, shape[1], w[0], w[1], w[2]});
      try (Explainer e = Explainer.fromLayer(m, Request.of(LayerSpec.names(c.layer()),
          CamMethods.byName("gradcam"),
          Target.parse("1")), new RuntimeOptions(1))) {
        List<String> feeds = List.copyOf(e.feedShapes(one).keySet());
        System.out.printf("%-28s layer %-6s fed %s%n", c, c.layer(), feeds);
        assertTrue(feeds.size() >= 2, c + ": the activation and at least one skip connection, not " + feeds);
      }
    }
  }

  /** A scan whose held windows would not fit a quarter of the heap runs pass 2 from the input. */
  @Test
  void tooManyHeldWindowsFallBackToTheInput() {
    WindowGrid ct = WindowGrid.of(new long[] {256, 512, 512}, new long[] {96, 96, 96}, 0.5);
    WindowGrid small = WindowGrid.of(new long[] {192, 192, 192}, new long[] {96, 96, 96}, 0.5);
    int held = WindowSchedule.of(ct, 1).mostHeld(1, ct.size());
    // per window just over a quarter of the heap shared by the held windows of the large grid
    long floats = Runtime.getRuntime().maxMemory() / 4 / held / Float.BYTES + 1;
    SlidingWindowExplainer.Pass2 plan = new SlidingWindowExplainer.Pass2(Map.of("cut", new long[] {1, floats}), null);
    SlidingWindowExplainer.Pass2 large = plan.forGrid(ct, 1);
    assertTrue(!large.fromLayer() && large.describe().startsWith("input (the 224 windows held at once would take"),
        large.describe());
    assertEquals("layer", plan.forGrid(small, 1).describe(), "15 such windows fit");
  }

  /** Several layers, and methods that need the model input, keep pass 2 from the input, with the reason. */
  @Test
  void fallsBackToTheInputWhenTheLayerCannotStartPass2() {
    SlidingFixtures.Case c = SlidingFixtures.cases().get(0);
    WindowedExplanation two = explain(c, List.of("up2", "down3"), "gradcam", "1", true, 1, 1);
    assertEquals("input (several layers have different cuts)", two.pass2From());
    WindowedExplanation scorecam = explain(c, List.of("up2"), "scorecam", "1", true, 1, 1);
    assertEquals("input (scorecam needs the model input, not only the layer)", scorecam.pass2From());
  }
}
