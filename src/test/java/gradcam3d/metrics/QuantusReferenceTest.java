package gradcam3d.metrics;

import gradcam3d.cam.Request;
import gradcam3d.cam.methods.CamMethods;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every metric of the catalog against an independent implementation that follows Quantus' (and
 * pytorch-grad-cam's) code path in NumPy/SciPy/scikit-image/PyTorch
 * (src/test/resources/metrics/tools/make_quantus_refs.py, its docstring lists the deliberate
 * differences). Both sides measure the same map: the test replaces the Java explanation's maps by
 * the ones PyTorch computed (q_*.npy); metrics that re-run the explanation compare the two
 * implementations' re-explanations too. Tolerances: 1e-4 where models are run (float32 ONNX
 * Runtime against float32 PyTorch), 1e-6 for the closed-form map statistics.
 */
class QuantusReferenceTest {
  static final Path DIR = Path.of("src/test/resources/metrics");
  static final RuntimeOptions OPTIONS = new RuntimeOptions(2);
  static final double MODEL_TOL = 1e-4;
  static final double CLOSED_TOL = 1e-6;
  static final List<String> PARAMS = List.of("faithfulness-correlation.runs=20", "faithfulness-correlation.subset=0.1",
      "monotonicity-correlation.steps=8",
      "monotonicity-correlation.samples=3", "max-sensitivity.samples=3", "avg-sensitivity.samples=3",
      "local-lipschitz.samples=3");
  static Map<String, Object> refs;
  static Evaluation seg;
  static Evaluation cls;
  /** The classifier's inputs and explanation with PyTorch's maps, for further settings. */
  static ModelProto clsModel;
  static Map<String, FloatTensor> clsInputs;
  static Request clsRequest;
  static Explanation clsExplanation;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void measure() throws IOException {
    refs = (Map<String, Object>) Json.parse(Files.readString(DIR.resolve("quantus_refs.json")));
    Evaluation.Settings settings = Evaluation.Settings.defaults().withSteps(11).withRandomSeeds(1)
        .withMetrics(List.of("all")).withParams(MetricParams.parse(PARAMS)).withBatchSize(4);
    // the segmenter: Grad-CAM at "down" for class 1, the map replaced by PyTorch's
    ModelProto segModel = ModelIO.read(DIR.resolve("metrics_seg3d.onnx"));
    FloatTensor x = Npy.read(DIR.resolve("seg3d_input.npy"));
    Request segRequest = Request.of(LayerSpec.names("down"), CamMethods.byName("gradcam"),
        Target.parse("1"));
    Explanation e;
    try (Explainer ex = new Explainer(segModel, segRequest, OPTIONS)) {
      e = ex.explain(Map.of("input", x));
    }
    FloatTensor pyCam = Npy.read(DIR.resolve("q_seg3d_cam.npy"));
    assertArrayClose(pyCam.data(), e.cam().data(), 1e-5, "Java's Grad-CAM is PyTorch's");
    FloatTensor mask = Npy.read(DIR.resolve("seg3d_mask.npy"));
    seg = Evaluation.measure(segModel, segRequest, Map.of("input", x), e.withMaps(e.layers(), pyCam, 0),
        List.of(new FloatTensor(mask.data(), mask.data().length)), settings, OPTIONS);
    // the classifier: input x gradient for each sample's top class, maps and attribution replaced
    clsModel = ModelIO.read(DIR.resolve("metrics_cls2d.onnx"));
    FloatTensor x2 = Npy.read(DIR.resolve("cls2d_input.npy"));
    clsInputs = Map.of("input", x2);
    clsRequest = Request.of(List.of(), CamMethods.byName("input-x-gradient"), Target.parse("argmax"));
    Explanation c;
    try (Explainer ex = new Explainer(clsModel, clsRequest, OPTIONS)) {
      c = ex.explain(Map.of("input", x2));
    }
    FloatTensor attribution = Npy.read(DIR.resolve("q_cls2d_attribution.npy"));
    FloatTensor map = Npy.read(DIR.resolve("q_cls2d_map.npy"));
    FloatTensor cam = Npy.read(DIR.resolve("q_cls2d_cam.npy"));
    assertArrayClose(attribution.data(), c.attribution().values().data(), 1e-5, "Java's input x gradient is PyTorch's");
    Explanation.LayerMap l = c.layers().get(0);
    List<Explanation.LayerMap> layers = List.of(new Explanation.LayerMap(l.layer(), l.shape(), map, cam, null, null,
        null, null));
    Explanation swapped = new Explanation(layers, cam, c.targetValues(), c.regionVoxels(), c.predictedVoxels(),
        c.region(), c.targets(), c.outputShape(), c.compileStats(), c.runMs(), c.postMs(),
        new Explanation.Attribution(attribution, null));
    clsExplanation = swapped;
    cls = Evaluation.measure(clsModel, clsRequest, Map.of("input", x2), swapped, null,
        settings.withMetrics(List.of("faithfulness", "robustness", "complexity", "randomisation", "axiomatic")),
        OPTIONS);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> obj(Object o, String key) {
    return (Map<String, Object>) ((Map<String, Object>) o).get(key);
  }

  static double num(Object o) {
    return o == null ? Double.NaN : ((Number) o).doubleValue();
  }

  static double num(Map<String, Object> m, String key) {
    return num(m.get(key));
  }

  @SuppressWarnings("unchecked")
  static double[] nums(Map<String, Object> m, String key) {
    return ((List<Object>) m.get(key)).stream().mapToDouble(QuantusReferenceTest::num).toArray();
  }

  /** |a - b| <= tol * max(1, |a|), NaN matching NaN (the reference's null). */
  static void close(double expected, double actual, double tol, String what) {
    if (Double.isNaN(expected)) {
      assertTrue(Double.isNaN(actual), what + ": expected undefined, got " + actual);
      return;
    }
    assertEquals(expected, actual, tol * Math.max(1, Math.abs(expected)), what);
  }

  static void close(double[] expected, double[] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what + " length");
    for (int i = 0; i < expected.length; i++) {
      close(expected[i], actual[i], tol, what + "[" + i + "]");
    }
  }

  static void assertArrayClose(float[] expected, float[] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what);
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(worst <= tol, what + ": max |diff| " + worst);
  }

  static Metric.Result result(Evaluation ev, int sample, String metric) {
    Metric.Result r = ev.samples().get(sample).results().get(metric);
    assertNotNull(r, metric + " measured (skipped: " + ev.samples().get(sample).skipped() + ")");
    return r;
  }

  static double headline(Evaluation ev, int sample, String metric, String key) {
    return result(ev, sample, metric).headline().get(key);
  }

  static double json(Evaluation ev, int sample, String metric, String key) {
    return num(result(ev, sample, metric).json().get(key));
  }

  @SuppressWarnings("unchecked")
  static double[] jsonArray(Evaluation ev, int sample, String metric, String key) {
    Object v = result(ev, sample, metric).json().get(key);
    if (v instanceof double[] d) {
      return d;
    }
    return ((List<Object>) v).stream().mapToDouble(QuantusReferenceTest::num).toArray();
  }

  static List<Map<String, Object>> cases() {
    List<Map<String, Object>> out = new ArrayList<>();
    out.add(obj(refs, "seg3d"));
    @SuppressWarnings("unchecked")
    List<Object> c = (List<Object>) refs.get("cls2d");
    c.forEach(o -> out.add(castMap(o)));
    return out;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> castMap(Object o) {
    return (Map<String, Object>) o;
  }

  /** (evaluation, sample) of each reference case: seg3d, cls2d sample 0, cls2d sample 1. */
  static Evaluation evaluation(int c) {
    return c == 0 ? seg : cls;
  }

  static int sample(int c) {
    return c == 0 ? 0 : c - 1;
  }

  @Test
  void curvesOnTheGeometricScaleNormalisedMatchNumPy() {
    for (int c = 0; c < 3; c++) {
      Map<String, Object> r = obj(cases().get(c), "deletion_insertion");
      FaithfulnessCurves f = evaluation(c).samples().get(sample(c)).curves();
      String what = "case " + c;
      double[] counts = nums(r, "counts");
      for (int i = 0; i < counts.length; i++) {
        assertEquals((int) counts[i], f.counts()[i], what + " voxels removed at point " + i);
      }
      close(num(r, "unperturbed"), f.unperturbedScore(), MODEL_TOL, what + " unperturbed");
      close(num(r, "baseline"), f.baselineScore(), MODEL_TOL, what + " baseline");
      close(nums(r, "deletion_scores"), f.deletionScores(), MODEL_TOL, what + " deletion scores");
      // normalised values divide by s_x - s_baseline: compare them relative to that difference's precision
      double scale = MODEL_TOL * Math.max(1, Math.abs(num(r, "unperturbed")))
          / Math.abs(num(r, "unperturbed") - num(r, "baseline"));
      close(nums(r, "deletion"), f.deletion(), scale, what + " deletion");
      close(nums(r, "insertion"), f.insertion(), scale, what + " insertion");
      close(num(r, "deletion_auc"), f.deletionAuc(), scale, what + " deletion AUC");
      close(num(r, "insertion_auc"), f.insertionAuc(), scale, what + " insertion AUC");
      close(num(r, "random_deletion_auc"), f.randomDeletionAuc(), scale, what + " random deletion AUC");
      close(num(r, "random_insertion_auc"), f.randomInsertionAuc(), scale, what + " random insertion AUC");
    }
  }

  @Test
  void faithfulnessMetricsMatchQuantusCodePaths() {
    for (int c = 0; c < 3; c++) {
      Map<String, Object> r = cases().get(c);
      Evaluation ev = evaluation(c);
      int s = sample(c);
      String what = "case " + c + " ";
      close(nums(obj(r, "faithfulness_correlation"), "score_drops"),
          jsonArray(ev, s, "faithfulness-correlation", "score_drops"), MODEL_TOL, what + "FC drops");
      close(nums(obj(r, "faithfulness_correlation"), "attribution_sums"),
          jsonArray(ev, s, "faithfulness-correlation", "attribution_sums"), MODEL_TOL, what + "FC sums");
      close(num(obj(r, "faithfulness_correlation"), "correlation"),
          headline(ev, s, "faithfulness-correlation", "faithfulness_correlation"), MODEL_TOL, what + "FC");
      close(num(obj(r, "faithfulness_estimate"), "correlation"),
          headline(ev, s, "faithfulness-estimate", "faithfulness_estimate"), MODEL_TOL, what + "FE");
      close(num(obj(r, "monotonicity_correlation"), "correlation"),
          headline(ev, s, "monotonicity-correlation", "monotonicity_correlation"), MODEL_TOL, what + "MC");
      Map<String, Object> rp = obj(r, "region_perturbation");
      assertEquals((int) num(rp, "cube_edge"), (int) json(ev, s, "region-perturbation", "cube_edge"), what);
      close(nums(rp, "morf_curve"), jsonArray(ev, s, "region-perturbation", "morf_curve"), MODEL_TOL, what + "RP");
      close(nums(rp, "lerf_curve"), jsonArray(ev, s, "region-perturbation", "lerf_curve"), MODEL_TOL, what + "RP");
      close(num(rp, "morf_auc"), json(ev, s, "region-perturbation", "morf_auc"), MODEL_TOL, what + "RP AUC");
      close(num(rp, "lerf_auc"), json(ev, s, "region-perturbation", "lerf_auc"), MODEL_TOL, what + "RP AUC");
      Map<String, Object> irof = obj(r, "irof");
      assertEquals((int) num(irof, "supervoxels"), (int) json(ev, s, "irof", "supervoxels"), what);
      close(num(irof, "irof"), json(ev, s, "irof", "irof"), MODEL_TOL, what + "IROF");
      close(num(obj(r, "infidelity"), "infidelity"), headline(ev, s, "infidelity", "infidelity"), MODEL_TOL,
          what + "infidelity");
      Map<String, Object> road = obj(r, "road");
      close(nums(road, "morf_changes"), jsonArray(ev, s, "road", "morf_changes"), MODEL_TOL, what + "ROAD MoRF");
      close(nums(road, "lerf_changes"), jsonArray(ev, s, "road", "lerf_changes"), MODEL_TOL, what + "ROAD LeRF");
      close(num(road, "combined"), headline(ev, s, "road", "road"), MODEL_TOL, what + "ROAD");
      Map<String, Object> cc = obj(r, "confidence_change");
      close(num(cc, "change"), json(ev, s, "confidence-change", "change"), MODEL_TOL, what + "confidence change");
      close(num(cc, "increase_in_confidence"), json(ev, s, "confidence-change", "increase_in_confidence"), 0, what);
    }
    Map<String, Object> arcc = obj(cases().get(0), "arcc");
    close(num(arcc, "coherency"), json(seg, 0, "arcc", "coherency"), MODEL_TOL, "ARCC coherency");
    close(num(arcc, "complexity"), json(seg, 0, "arcc", "complexity"), CLOSED_TOL, "ARCC complexity");
    close(num(arcc, "road"), json(seg, 0, "arcc", "road"), MODEL_TOL, "ARCC road");
    close(num(arcc, "arcc"), headline(seg, 0, "arcc", "arcc"), MODEL_TOL, "ARCC");
  }

  @Test
  void robustnessMetricsMatchWithTheSameNoise() {
    for (int c = 0; c < 3; c++) {
      Map<String, Object> r = cases().get(c);
      Evaluation ev = evaluation(c);
      int s = sample(c);
      Map<String, Object> sens = obj(r, "sensitivity");
      close(nums(sens, "sensitivities"), jsonArray(ev, s, "max-sensitivity", "sensitivities"), MODEL_TOL,
          "case " + c + " sensitivities");
      close(num(sens, "max"), headline(ev, s, "max-sensitivity", "max_sensitivity"), MODEL_TOL, "max");
      close(num(sens, "avg"), headline(ev, s, "avg-sensitivity", "avg_sensitivity"), MODEL_TOL, "avg");
      close(nums(obj(r, "local_lipschitz"), "ratios"), jsonArray(ev, s, "local-lipschitz", "ratios"), MODEL_TOL,
          "case " + c + " Lipschitz ratios");
    }
  }

  @Test
  void localisationAndComplexityMatchInClosedForm() {
    Map<String, Object> loc = obj(cases().get(0), "localisation");
    close(num(loc, "pointing_game"), headline(seg, 0, "pointing-game", "pointing_game"), 0, "pointing game");
    for (String[] m : new String[][] {{"attribution-localisation", "attribution_localisation"},
        {"top-k-intersection", "top_k_intersection"}, {"relevance-rank-accuracy", "relevance_rank_accuracy"},
        {"relevance-mass-accuracy", "relevance_mass_accuracy"}, {"roc-auc", "roc_auc"}}) {
      close(num(loc, m[1]), headline(seg, 0, m[0], m[1]), CLOSED_TOL, m[0]);
    }
    // the mask agreement's rank accuracy is Quantus' on the final map
    close(num(loc, "relevance_rank_accuracy"), seg.samples().get(0).agreement().rankAccuracy(), CLOSED_TOL, "RRA");
    for (int c = 0; c < 3; c++) {
      Map<String, Object> cx = obj(cases().get(c), "complexity");
      Evaluation ev = evaluation(c);
      close(num(cx, "sparseness"), headline(ev, sample(c), "sparseness", "sparseness"), CLOSED_TOL, "Gini " + c);
      close(num(cx, "complexity"), headline(ev, sample(c), "complexity", "complexity"), CLOSED_TOL, "entropy " + c);
      close(num(cx, "effective_complexity"), headline(ev, sample(c), "effective-complexity", "effective_complexity"),
          CLOSED_TOL, "effective complexity " + c);
    }
  }

  @Test
  void randomisationMetricsMatchWithJavasWeightNoise() {
    for (int c = 0; c < 3; c++) {
      Map<String, Object> r = cases().get(c);
      Evaluation ev = evaluation(c);
      int s = sample(c);
      close(nums(obj(r, "mprt_independent"), "spearman"), jsonArray(ev, s, "mprt-independent", "spearman"),
          MODEL_TOL, "case " + c + " independent MPRT");
      Map<String, Object> em = obj(r, "efficient_mprt");
      close(num(em, "entropy"), json(ev, s, "efficient-mprt", "entropy"), CLOSED_TOL, "case " + c + " entropy");
      close(num(em, "entropy_randomised"), json(ev, s, "efficient-mprt", "entropy_randomised"), MODEL_TOL,
          "case " + c + " entropy randomised");
      Map<String, Object> rl = obj(r, "random_logit");
      assertEquals((int) num(rl, "other_class"), (int) json(ev, s, "random-logit", "other_class"));
      close(num(rl, "ssim"), headline(ev, s, "random-logit", "random_logit"), MODEL_TOL, "case " + c + " SSIM");
    }
  }

  @Test
  void axiomaticMetricsMatch() {
    for (int c = 0; c < 3; c++) {
      Map<String, Object> ns = obj(cases().get(c), "non_sensitivity");
      assertEquals((int) num(ns, "violations"), (int) json(evaluation(c), sample(c), "non-sensitivity", "violations"),
          "case " + c + " non-sensitivity");
    }
    for (int c = 1; c < 3; c++) {
      Map<String, Object> r = obj(cases().get(c), "completeness");
      close(num(r, "attribution_sum"), json(cls, sample(c), "completeness", "attribution_sum"), MODEL_TOL, "sum");
      close(num(r, "target_change"), json(cls, sample(c), "completeness", "target_change"), MODEL_TOL, "change");
      close(num(r, "gap"), json(cls, sample(c), "completeness", "gap"), MODEL_TOL, "gap");
    }
    // without a baseline (LRP's conservation) the change is T(x) itself: the explanation's own target value
    Evaluation none = Evaluation.measure(clsModel, clsRequest, clsInputs, clsExplanation, null,
        Evaluation.Settings.defaults().withMetrics(List.of("completeness"))
            .withParams(MetricParams.parse(List.of("completeness.baseline=none"))), OPTIONS);
    for (int b = 0; b < 2; b++) {
      close(clsExplanation.targetValues().data()[b], json(none, b, "completeness", "target_change"), MODEL_TOL,
          "T(x) of sample " + b);
    }
    // a Grad-CAM map is normalised: completeness says so instead of a number
    assertTrue(seg.samples().get(0).skipped().get("completeness").contains("normalised"));
  }
}
