package gradcam3d.metrics;

import gradcam3d.cam.Request;
import gradcam3d.cam.methods.CamMethods;
import static gradcam3d.testing.SettingsEdits.withCurves;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Layout;
import gradcam3d.volume.VolumeIO;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Metrics on the bundled demo U-Net, whose true labels say where the evidence is. */
class DemoMetricsTest {
  static final Path DEMO = Path.of("src/main/resources/gradcam3d/demo");
  static final RuntimeOptions OPTIONS = new RuntimeOptions(2);
  static ModelProto model;
  static FloatTensor x;
  static float[] label1;
  static Request request;
  static Explanation explanation;

  @BeforeAll
  static void explain() {
    model = ModelIO.read(DEMO.resolve("demo_unet3d.onnx"));
    x = VolumeIO.read(DEMO.resolve("demo_case1.nii.gz"), Layout.ZYX, 3).batch();
    float[] lab = VolumeIO.read(DEMO.resolve("demo_case1_label.nii.gz"), Layout.ZYX, 3).batch().data();
    label1 = new float[lab.length];
    for (int i = 0; i < lab.length; i++) {
      label1[i] = Math.round(lab[i]) == 1 ? 1f : 0f;
    }
    request = Request.of(LayerSpec.names("up2"), CamMethods.byName("gradcam"), Target.parse("1"));
    try (Explainer ex = new Explainer(model, request, OPTIONS)) {
      explanation = ex.explain(Map.of("input", x));
    }
  }

  private static FaithfulnessCurves curves(float[] map, Baseline baseline, int seeds) {
    try (TargetScorer scorer = new TargetScorer(model, request, explanation, 0, 8, OPTIONS)) {
      return FaithfulnessCurves.measure(scorer, x, map, baseline, 11, seeds);
    }
  }

  @Test
  void theTrueLabelDeletesFasterThanItsInversion() {
    float[] inverse = new float[label1.length];
    for (int i = 0; i < inverse.length; i++) {
      inverse[i] = 1 - label1[i];
    }
    for (Baseline b : List.of(Baseline.BLUR, Baseline.ZERO)) {
      FaithfulnessCurves good = curves(label1, b, 0);
      FaithfulnessCurves bad = curves(inverse, b, 0);
      assertEquals(1.0, good.deletion()[0], 1e-4, "p = 0 is the unperturbed input");
      assertEquals(1.0, good.insertion()[10], 1e-4, "p = 100 % restores the whole input");
      assertTrue(good.deletionAuc() < bad.deletionAuc() - 0.3,
          b + ": label " + good.deletionAuc() + " vs inverted " + bad.deletionAuc());
      assertTrue(good.insertionAuc() > bad.insertionAuc() + 0.3,
          b + ": label " + good.insertionAuc() + " vs inverted " + bad.insertionAuc());
    }
  }

  @Test
  void gradCamBeatsRandomOrders() {
    FaithfulnessCurves c = curves(explanation.cam().data(), Baseline.BLUR, 1);
    assertTrue(c.deletionAuc() < c.randomDeletionAuc(), c.deletionAuc() + " vs random " + c.randomDeletionAuc());
    assertEquals(explanation.targetValues().data()[0], c.unperturbedScore(), 1e-3 * Math.abs(c.unperturbedScore()),
        "the scorer's target is the explanation's target");
  }

  @Test
  void randomisingTheWeightsMovesGradCam() {
    CascadingRandomization.Result r = CascadingRandomization.run(model, request, Map.of("input", x), explanation,
        4, 0, OPTIONS);
    assertEquals(4, r.steps().size());
    double last = r.steps().get(r.steps().size() - 1).spearman();
    assertTrue(last < 0.5, "correlation after randomising every layer: " + last + " " + r.steps());
    assertEquals(r.layers(), r.steps().get(3).randomLayers());
    assertEquals(null, r.warning());
  }

  @Test
  void labelAgreementMatchesTheDemoStatistic() {
    Evaluation ev = Evaluation.measure(model, request, Map.of("input", x), explanation,
        List.of(new FloatTensor(label1, label1.length)), withCurves(Evaluation.Settings.defaults(), false), OPTIONS);
    MaskAgreement a = ev.samples().get(0).agreement();
    assertNotNull(a);
    assertEquals(0.581, a.massInside(), 0.001, "README: 58.1% of the CAM's mass inside the class-1 label");
    assertEquals(0.020, a.maskShare(), 0.001);
    assertTrue(a.peakInside());
  }
}
