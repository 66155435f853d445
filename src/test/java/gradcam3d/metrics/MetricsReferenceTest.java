package gradcam3d.metrics;

import gradcam3d.cam.Request;
import gradcam3d.cam.methods.CamMethods;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.report.Json;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Metrics against numbers PyTorch/NumPy computed independently
 * (src/test/resources/metrics/tools/make_metrics_refs.py, definitions in its docstring).
 */
class MetricsReferenceTest {
  static final Path DIR = Path.of("src/test/resources/metrics");
  static final Path FIX = Path.of("src/test/resources/fixtures/cases");
  static final RuntimeOptions OPTIONS = new RuntimeOptions(2);
  /** float32 model runs vs float64 sums of float32 outputs: relative curve values agree to ~1e-5. */
  static final double CURVE_TOL = 2e-4;
  /** The scorer reads the request's model output (0) and score (logits). */
  static final Request LOGITS = Request.of(LayerSpec.names("down"), CamMethods.byName("gradcam"),
      Target.parse("1"));
  static Map<String, Object> refs;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void read() throws IOException {
    refs = (Map<String, Object>) Json.parse(Files.readString(DIR.resolve("metrics_refs.json")));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> obj(Object o, String key) {
    return (Map<String, Object>) ((Map<String, Object>) o).get(key);
  }

  static double num(Map<String, Object> m, String key) {
    return ((Number) m.get(key)).doubleValue();
  }

  @SuppressWarnings("unchecked")
  static double[] nums(Map<String, Object> m, String key) {
    return ((List<Object>) m.get(key)).stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
  }

  static Explanation explain(ModelProto model, FloatTensor x, String layer, String target) {
    try (Explainer ex = new Explainer(model, Request.of(LayerSpec.names(layer), CamMethods.byName("gradcam"),
        Target.parse(target)),
        OPTIONS)) {
      return ex.explain(Map.of("input", x));
    }
  }

  static void assertCurves(Map<String, Object> ref, FaithfulnessCurves c, String what) {
    assertArrayEquals(nums(ref, "deletion"), c.deletion(), CURVE_TOL, what + " deletion");
    assertArrayEquals(nums(ref, "insertion"), c.insertion(), CURVE_TOL, what + " insertion");
    assertEquals(num(ref, "deletion_auc"), c.deletionAuc(), CURVE_TOL, what + " deletion AUC");
    assertEquals(num(ref, "insertion_auc"), c.insertionAuc(), CURVE_TOL, what + " insertion AUC");
  }

  @Test
  void segmentationCurvesMatchPyTorch() {
    Map<String, Object> ref = obj(refs, "seg3d");
    ModelProto model = ModelIO.read(DIR.resolve("metrics_seg3d.onnx"));
    FloatTensor x = Npy.read(DIR.resolve("seg3d_input.npy"));
    float[] map = Npy.read(DIR.resolve("seg3d_map.npy")).data();
    Explanation e = explain(model, x, "down", "1");
    assertEquals((long) num(ref, "region_voxels"), e.regionVoxels()[0]);
    for (Baseline b : Baseline.values()) {
      Map<String, Object> r = obj(ref, b.label());
      int seeds = b == Baseline.BLUR ? 3 : 0;
      FaithfulnessCurves c;
      try (TargetScorer scorer = new TargetScorer(model, LOGITS, e, 0, 5, OPTIONS)) {
        c = FaithfulnessCurves.measure(scorer, x, map, b, 21, seeds);
      }
      assertEquals(num(ref, "unperturbed_score"), c.unperturbedScore(), 1e-4 * num(ref, "unperturbed_score"));
      assertCurves(r, c, b.label());
      if (b == Baseline.BLUR) {
        assertEquals(num(r, "random_deletion_auc"), c.randomDeletionAuc(), CURVE_TOL);
        assertEquals(num(r, "random_insertion_auc"), c.randomInsertionAuc(), CURVE_TOL);
      }
    }
  }

  @Test
  void blurAndRandomOrderMatchNumPy() {
    Map<String, Object> r = obj(obj(refs, "seg3d"), "blur");
    FloatTensor x = Npy.read(DIR.resolve("seg3d_input.npy"));
    float[] blurred = Baseline.BLUR.of(x).data();
    double sum = 0;
    for (float v : blurred) {
      sum += v;
    }
    double[] probe = nums(r, "baseline_probe");
    assertEquals(probe[0], sum, 1e-3);
    assertEquals(probe[1], blurred[1234], 1e-6);
    assertEquals(probe[2], blurred[blurred.length - 1], 1e-6);
    int[] order = Ranking.random(x.size(), 1);
    double[] first = nums(r, "random_order_seed1_first5");
    for (int i = 0; i < first.length; i++) {
      assertEquals((int) first[i], order[i]);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void classifierCurvesMatchPyTorch() {
    List<Object> ref = (List<Object>) refs.get("cls2d");
    ModelProto model = ModelIO.read(DIR.resolve("metrics_cls2d.onnx"));
    FloatTensor x = Npy.read(DIR.resolve("cls2d_input.npy"));
    FloatTensor maps = Npy.read(DIR.resolve("cls2d_map.npy"));
    Explanation e = explain(model, x, "features", "argmax");
    for (int b = 0; b < 2; b++) {
      Map<String, Object> r = (Map<String, Object>) ref.get(b);
      assertEquals((int) num(r, "class"), e.explainedClass(b));
      long[] one = x.shape();
      one[0] = 1;
      FloatTensor sample = x.slice0(b).reshape(one);
      for (Baseline base : List.of(Baseline.BLUR, Baseline.ZERO)) {
        try (TargetScorer scorer = new TargetScorer(model, LOGITS, e, b, 4, OPTIONS)) {
          FaithfulnessCurves c = FaithfulnessCurves.measure(scorer, sample, maps.slice0(b).data(), base, 21, 0);
          assertEquals(num(r, "unperturbed_score"), c.unperturbedScore(), 1e-5);
          assertCurves(obj(r, base.label()), c, "sample " + b + " " + base.label());
        }
      }
    }
  }

  @Test
  void maskAgreementComplexityAndRankCorrelationMatchNumPy() {
    Map<String, Object> m = obj(refs, "maps");
    float[] map = Npy.read(DIR.resolve("seg3d_map.npy")).data();
    float[] mask = Npy.read(DIR.resolve("seg3d_mask.npy")).data();
    Map<String, Object> g = obj(m, "agreement_seg3d_map_vs_mask");
    MaskAgreement a = MaskAgreement.of(map, mask);
    assertEquals(num(g, "mass_inside"), a.massInside(), 1e-9);
    assertEquals(num(g, "mask_share"), a.maskShare(), 1e-12);
    assertEquals(num(g, "concentration"), a.concentration(), 1e-9);
    assertEquals(g.get("peak_inside"), a.peakInside());
    assertEquals(num(g, "otsu"), a.otsuThreshold(), 1e-9);
    for (String level : List.of("otsu", "0.25", "0.5", "0.75")) {
      assertEquals(num(g, "iou_" + level), a.overlaps().get(level).iou(), 1e-12, "IoU at " + level);
      assertEquals(num(g, "ioa_" + level), a.overlaps().get(level).ioa(), 1e-12, "IoA at " + level);
    }
    Complexity c = Complexity.of(map);
    assertEquals(num(obj(m, "complexity_seg3d_map"), "mean"), c.mean(), 1e-9);
    assertEquals(num(obj(m, "complexity_seg3d_map"), "fraction_above_0.5"), c.fractionAboveHalf(), 1e-12);
    float[] input = Npy.read(DIR.resolve("seg3d_input.npy")).data();
    assertEquals(num(m, "spearman_seg3d_map_vs_input"), RankCorrelation.spearman(map, input), 1e-9);
    float[] gradcam = Npy.read(FIX.resolve("seed_unet3d__down3__gradcam/cam.npy")).data();
    float[] hires = Npy.read(FIX.resolve("seed_unet3d__down3__hirescam/cam.npy")).data();
    assertEquals(num(m, "spearman_fixture_gradcam_vs_hirescam"), RankCorrelation.spearman(gradcam, hires), 1e-9);
    assertEquals(num(m, "otsu_fixture_gradcam"), Otsu.threshold(gradcam), 1e-9);
  }
}
