package gradcam3d.window;

import static gradcam3d.testing.Tensors.maxAbs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.OptionValueException;
import gradcam3d.autodiff.LrpRules;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.Request;
import gradcam3d.cam.methods.CamMethods;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Target;
import gradcam3d.cam.methods.Lrp;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.Score;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.MethodsNext;
import gradcam3d.volume.Npy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * lrp and shapley-cam through sliding windows (the sliding fixture's U-Net and 40x56x48 volume):
 * one window covering the volume gives the ordinary explanation; several windows each take their
 * share of the seed, so the starting relevance is the whole region's and the input relevance of the
 * windows sums to the relevance reported.
 */
class WindowedRelevanceTest {
  private static final Path ROOT = Path.of("src/test/resources/fixtures/sliding");
  private static final ModelProto MODEL = ModelIO.read(ROOT.resolve("models/seed_unet3d_sw.onnx"));
  private static final FloatTensor X = Npy.read(ROOT.resolve("inputs/seed_unet3d_sw.npy"));
  private static final Target TARGET = Target.parse("2");

  private static Request request(CamMethod m, List<String> layers) {
    return new Request(LayerSpec.names(layers), m, List.of(TARGET), 0, Score.LOGITS, false, 2, Progress.NONE);
  }

  private static Lrp lrp() {
    return new Lrp(new LrpRules(LrpRules.Composite.EPSILON_PLUS_FLAT, 1e-6, 0.25, null, null,
        LrpRules.NormRule.IDENTITY, LrpRules.Start.SEED));
  }

  private static WindowedExplanation windowed(CamMethod m, List<String> layers, long[] window, double overlap) {
    try (SlidingWindowExplainer sw = new SlidingWindowExplainer(MODEL, request(m, layers),
        SlidingWindowExplainer.Settings.of(window).withOverlap(overlap).withWindowBatch(2), new RuntimeOptions(1))) {
      return sw.explain(X, TARGET);
    }
  }

  private static Explanation whole(CamMethod m, List<String> layers) {
    try (Explainer ex = new Explainer(MODEL, request(m, layers), new RuntimeOptions(2))) {
      return ex.explain(Map.of("input", X));
    }
  }

  @Test
  void oneWindowOverTheVolumeIsTheOrdinaryExplanation() {
    long[] volume = {40, 56, 48};
    Explanation plain = whole(lrp(), List.of());
    Explanation one = windowed(lrp(), List.of(), volume, 0.5).explanation();
    FloatTensor a = plain.attribution().values();
    assertTrue(MethodsNext.maxAbsDiff(one.attribution().values(), a) <= 1e-5 * maxAbs(a));
    assertTrue(MethodsNext.maxAbsDiff(one.cam(), plain.cam()) <= 1e-5);
    assertEquals(plain.relevance().starting()[0], one.relevance().starting()[0], 1e-6);
    CamMethod shapley = CamMethods.byName("shapley-cam");
    Explanation s = whole(shapley, List.of("up2"));
    Explanation w = windowed(shapley, List.of("up2"), volume, 0.5).explanation();
    assertTrue(MethodsNext.maxAbsDiff(w.cam(), s.cam()) <= 1e-5, "shapley-cam: " + MethodsNext.maxAbsDiff(w.cam(), s.cam()));
    // the relevance at a layer, pass 2 from the layer (the rules bound to the whole model before the cut)
    WindowedExplanation atLayer = windowed(lrp(), List.of("up2"), volume, 0.5);
    Explanation plainAtLayer = whole(lrp(), List.of("up2"));
    assertEquals("layer", atLayer.pass2From());
    assertTrue(MethodsNext.maxAbsDiff(atLayer.explanation().cam(), plainAtLayer.cam()) <= 1e-5);
    assertEquals(plainAtLayer.relevance().arrived()[0][0], atLayer.explanation().relevance().arrived()[0][0],
        1e-5 * Math.abs(plainAtLayer.relevance().arrived()[0][0]));
  }

  @Test
  void windowsShareTheSeedAndTheirRelevanceSums() {
    WindowedExplanation w = windowed(lrp(), List.of(), new long[] {24, 32, 32}, 0.25);
    Explanation e = w.explanation();
    assertTrue(w.windowsRun() > 1, "windows run: " + w.windowsRun());
    FloatTensor a = e.attribution().values();
    assertArrayEquals(new long[] {1, 1, 40, 56, 48}, a.shape());
    // each voxel's shares over the windows sum to one: the whole region's seed
    assertEquals(e.regionVoxels()[0], e.relevance().starting()[0], 1e-4 * e.regionVoxels()[0]);
    double sum = 0;
    for (float v : a.data()) {
      sum += v;
    }
    assertEquals(sum, e.relevance().arrived()[0][0], 1e-4 * Math.abs(sum) + 1e-9);
    assertEquals(1f, maxAbs(e.cam()), 1e-6);
  }

  @Test
  void theBoxRuleNeedsTheVolumesRangeWithWindows() {
    Lrp box = new Lrp(LrpRules.of(LrpRules.Composite.EPSILON_GAMMA_BOX));
    OptionValueException e = org.junit.jupiter.api.Assertions.assertThrows(OptionValueException.class,
        () -> new SlidingWindowExplainer(MODEL, request(box, List.of()),
            SlidingWindowExplainer.Settings.of(new long[] {24, 32, 32}), new RuntimeOptions(1)));
    assertTrue(e.getMessage().contains("--lrp-low"), e.getMessage());
  }
}
