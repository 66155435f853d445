package gradcam3d.cam;

import gradcam3d.cam.methods.CamMethods;

import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.methods.Dff;
import gradcam3d.cam.methods.FinerCam;
import gradcam3d.cam.methods.RandomCam;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.OrtProgram;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.Score;
import gradcam3d.runtime.SeedHead;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import gradcam3d.window.SlidingWindowExplainer;
import gradcam3d.window.WindowedExplanation;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * fem, kpca-cam, seg-eigen-cam, finer-cam, fullgrad, refine-cam, random-cam and dff through the
 * explainer on the seed U-Net (3 classes, class 2): a batch of two equals each sample alone (no
 * cross-talk), runs repeat bit for bit, Random-CAM follows its seed, Finer-CAM's segmentation
 * target against a host computation from the logits, sliding windows that cover the volume equal
 * one run, and the exported graph equals the explanation.
 */
class NewMethodsTest {
  static final Path MODEL = Path.of("src/test/resources/fixtures/models/seed_unet3d.onnx");
  static final FloatTensor BATCH = Npy.read(Path.of("src/test/resources/fixtures/inputs/seed_unet3d_batch2.npy"));
  static final RuntimeOptions OPTIONS = new RuntimeOptions(2);
  static final ModelProto PROTO = ModelIO.read(MODEL);

  static Request request(CamMethod m, List<String> layers, boolean keep) {
    return new Request(m.takesLayers() ? LayerSpec.names(layers) : List.of(), m, List.of(Target.parse("2")),
        0,
        Score.LOGITS, keep, 2, Progress.NONE);
  }

  static Stream<String> methods() {
    return Stream.of("fem", "kpca-cam", "seg-eigen-cam", "finer-cam", "fullgrad", "refine-cam", "random-cam", "dff");
  }

  static List<String> layersOf(String method) {
    return method.equals("refine-cam") ? List.of("down3", "up2") : List.of("down3");
  }

  static CamMethod method(String name) {
    CamMethod m = CamMethods.byName(name);
    // the seed U-Net has 3 classes: the target class and two others
    return name.equals("finer-cam") ? new FinerCam(1, 2) : name.equals("dff") ? new Dff(3) : m;
  }

  /** A batch of two gives each sample the maps it gets alone; a second run gives the same bits. */
  @ParameterizedTest
  @MethodSource("methods")
  void batchEqualsEachSampleAloneAndRepeats(String name) {
    CamMethod m = method(name);
    Request req = request(m, layersOf(name), false);
    try (Explainer ex = new Explainer(PROTO, req, OPTIONS)) {
      Explanation batch = ex.explain(Map.of("input", BATCH));
      for (int b = 0; b < 2; b++) {
        FloatTensor one = new FloatTensor(BATCH.slice0(b).data(), oneSample(BATCH.shape()));
        Explanation alone = ex.explain(Map.of("input", one));
        double err = maxAbsDiff(batch.cam().slice0(b), alone.cam().slice0(0));
        System.out.printf("%-15s sample %d: batch vs alone %.2e%n", name, b, err);
        assertTrue(err <= 1e-5, name + " sample " + b + ": " + err);
        assertEquals(batch.targetValues().data()[b], alone.targetValues().data()[0],
            1e-5 * Math.abs(alone.targetValues().data()[0]), "target value");
        if (batch.extras() != null && !batch.extras().maps().isEmpty()) {
          FloatTensor concepts = batch.extras().maps().get("concepts");
          assertTrue(maxAbsDiff(concepts.slice0(b), alone.extras().maps().get("concepts").slice0(0)) <= 1e-5);
        }
        if (b == 0) {
          assertEquals(0f, maxAbsDiff(alone.cam(), ex.explain(Map.of("input", one)).cam()), name + " repeats bit for bit");
        }
      }
    }
  }

  private static long[] oneSample(long[] s) {
    long[] o = s.clone();
    o[0] = 1;
    return o;
  }

  /** 2-D, a classifier (cls2d: 5 classes, a batch of two, argmax targets): every method, no cross-talk. */
  @ParameterizedTest
  @MethodSource("methods")
  void twoDimensionalClassifier(String name) {
    CamMethod m = CamMethods.byName(name).withOptions(new MethodOptions(2, "rbf", null, 1, 2,
        CamMethods.byName("gradcam++"), 3, 2));
    List<String> layers = name.equals("refine-cam") ? List.of("features.4", "features.8") : List.of("features.8");
    Request req = new Request(m.takesLayers() ? LayerSpec.names(layers) : List.of(), m,
        List.of(Target.parse("argmax")), 0, Score.LOGITS, false, 2, Progress.NONE);
    FloatTensor x = Npy.read(Path.of("src/test/resources/fixtures/inputs/cls2d.npy"));
    try (Explainer ex = new Explainer(ModelIO.read(Path.of("src/test/resources/fixtures/models/cls2d.onnx")), req,
        OPTIONS)) {
      Explanation batch = ex.explain(Map.of("input", x));
      assertEquals(List.of(2L, 32L, 40L), java.util.Arrays.stream(batch.cam().shape()).boxed().toList());
      for (int b = 0; b < 2; b++) {
        // min-maxed to [0, 1]; all zero when ReLU leaves nothing (a random weighting may be negative everywhere)
        float max = maxAbs(batch.cam().slice0(b));
        assertTrue(max == 1f || max == 0f, name + ": a map in [0, 1], max " + max);
      }
      for (int b = 0; b < 2; b++) {
        FloatTensor one = new FloatTensor(x.slice0(b).data(), oneSample(x.shape()));
        double err = maxAbsDiff(batch.cam().slice0(b), ex.explain(Map.of("input", one)).cam().slice0(0));
        assertTrue(err <= 1e-5, name + " sample " + b + ": " + err);
      }
    }
  }

  @Test
  void randomCamFollowsItsSeed() {
    FloatTensor x = new FloatTensor(BATCH.slice0(0).data(), oneSample(BATCH.shape()));
    FloatTensor[] camLayers = new FloatTensor[3];
    long[] seeds = {1, 1, 2};
    for (int i = 0; i < 3; i++) {
      try (Explainer ex = new Explainer(PROTO, request(new RandomCam(seeds[i]), List.of("up2"), true), OPTIONS)) {
        Explanation e = ex.explain(Map.of("input", x));
        camLayers[i] = e.layers().get(0).camLayer();
        // cam_layer = sum_c w_c A_c with the seed's weights
        FloatTensor a = e.layers().get(0).activation();
        int channels = (int) a.dim(1);
        int voxels = a.size() / channels;
        float[] w = new RandomCam(seeds[i]).weights(channels);
        for (int v = 0; v < voxels; v += 97) {
          double want = 0;
          for (int c = 0; c < channels; c++) {
            want += w[c] * a.data()[c * voxels + v];
          }
          assertEquals(want, camLayers[i].data()[v], 1e-5 * (1 + Math.abs(want)));
        }
      }
    }
    assertEquals(0f, maxAbsDiff(camLayers[0], camLayers[1]), "same seed, same map");
    assertTrue(maxAbsDiff(camLayers[0], camLayers[2]) > 1e-3, "another seed, another map");
  }

  /**
   * Finer-CAM on a segmentation: T = sum over the region (argmax == 2) of
   * sum_k p_k (z_2 - z_k) / (sum_k p_k + 1e-9) over the comparison classes, computed here from the
   * logits: with one comparison class (the one whose region-mean logit is nearest z_2's) and with
   * both. With alpha 0 and every other class it is the plain target, so its map is Grad-CAM's.
   */
  @Test
  void finerCamSegmentationTargetMatchesTheHost() {
    FloatTensor x = BATCH;
    FloatTensor z;
    GradientEngine.Config cfg = GradientEngine.Config.builder(LayerSpec.names("up2")).tensors(false, true)
        .forwardOnly().build();
    try (GradientEngine engine = new GradientEngine(PROTO, cfg, OPTIONS)) {
      long[] os = engine.outputShape(Map.of("input", x.shape()));
      z = engine.run(Map.of("input", x), Target.seed(List.of(Target.parse("2")), os)).modelOutput();
    }
    for (int compare = 1; compare <= 2; compare++) {
      double[] want = finerTarget(z, 2, 1.0, compare);
      try (Explainer ex = new Explainer(PROTO, request(new FinerCam(1, compare), List.of("up2"), false), OPTIONS)) {
        FloatTensor got = ex.explain(Map.of("input", x)).targetValues();
        for (int b = 0; b < 2; b++) {
          System.out.printf("finer-cam compare %d sample %d: T %.6f (host %.6f)%n", compare, b, got.data()[b], want[b]);
          assertEquals(want[b], got.data()[b], 1e-4 * Math.abs(want[b]) + 1e-5, "compare " + compare + " sample " + b);
        }
      }
    }
    try (Explainer finer = new Explainer(PROTO, request(new FinerCam(0, 2), List.of("up2"), false), OPTIONS);
        Explainer grad = new Explainer(PROTO, request(CamMethods.byName("gradcam"), List.of("up2"), false), OPTIONS)) {
      Explanation f = finer.explain(Map.of("input", x));
      Explanation g = grad.explain(Map.of("input", x));
      assertTrue(maxAbsDiff(f.targetValues(), g.targetValues()) <= 1e-4 * maxAbs(g.targetValues()));
      assertTrue(maxAbsDiff(f.cam(), g.cam()) <= 1e-4, "alpha 0, all classes: Grad-CAM");
    }
    // more comparison classes than the model has others: all the others
    try (Explainer two = new Explainer(PROTO, request(new FinerCam(1, 2), List.of("up2"), false), OPTIONS);
        Explainer nine = new Explainer(PROTO, request(new FinerCam(1, 9), List.of("up2"), false), OPTIONS)) {
      assertEquals(0f, maxAbsDiff(two.explain(Map.of("input", x)).cam(), nine.explain(Map.of("input", x)).cam()));
    }
  }

  /** The Finer-CAM target per sample from logits z [B, K, *S], in float64. */
  private static double[] finerTarget(FloatTensor z, int main, double alpha, int compare) {
    int batch = (int) z.dim(0);
    int classes = (int) z.dim(1);
    int voxels = z.size() / batch / classes;
    double[] out = new double[batch];
    for (int b = 0; b < batch; b++) {
      double[] mean = new double[classes];
      int count = 0;
      boolean[] region = new boolean[voxels];
      for (int v = 0; v < voxels; v++) {
        int arg = 0;
        for (int k = 1; k < classes; k++) {
          arg = z(z, b, k, v) > z(z, b, arg, v) ? k : arg;
        }
        region[v] = arg == main;
        if (region[v]) {
          count++;
          for (int k = 0; k < classes; k++) {
            mean[k] += z(z, b, k, v);
          }
        }
      }
      Integer[] order = new Integer[classes];
      for (int k = 0; k < classes; k++) {
        order[k] = k;
      }
      double m = mean[main];
      java.util.Arrays.sort(order, (p, q) -> p == main ? -1 : q == main ? 1
          : Double.compare(Math.abs(mean[p] - m), Math.abs(mean[q] - m)));
      assertTrue(count > 0);
      double t = 0;
      for (int v = 0; v < voxels; v++) {
        if (!region[v]) {
          continue;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < classes; k++) {
          max = Math.max(max, z(z, b, k, v));
        }
        double sum = 0;
        for (int k = 0; k < classes; k++) {
          sum += Math.exp(z(z, b, k, v) - max);
        }
        double num = 0;
        double den = 0;
        for (int i = 1; i <= compare; i++) {
          int k = order[i];
          double p = Math.exp(z(z, b, k, v) - max) / sum;
          num += p * (z(z, b, main, v) - alpha * z(z, b, k, v));
          den += p;
        }
        t += num / (den + 1e-9);
      }
      out[b] = t;
    }
    return out;
  }

  private static double z(FloatTensor z, int b, int k, int v) {
    int classes = (int) z.dim(1);
    int voxels = z.size() / (int) z.dim(0) / classes;
    return z.data()[(b * classes + k) * voxels + v];
  }

  /** Refine-CAM through one window that covers the whole volume equals one run of the whole volume. */
  @Test
  void refineCamThroughAWholeVolumeWindowEqualsOneRun() {
    FloatTensor x = new FloatTensor(BATCH.slice0(0).data(), oneSample(BATCH.shape()));
    Request req = request(CamMethods.byName("refine-cam"), List.of("down3", "up2"), false);
    Explanation whole;
    try (Explainer ex = new Explainer(PROTO, req, OPTIONS)) {
      whole = ex.explain(Map.of("input", x));
    }
    try (SlidingWindowExplainer sw = new SlidingWindowExplainer(PROTO, req,
        SlidingWindowExplainer.Settings.of(new long[] {24, 40, 32}), OPTIONS)) {
      WindowedExplanation w = sw.explain(x, Target.parse("2"));
      assertEquals(1, w.windowsRun());
      for (int l = 0; l < 2; l++) {
        double err = maxAbsDiff(w.explanation().layers().get(l).cam(), whole.layers().get(l).cam());
        assertTrue(err <= 1e-5, "layer " + l + ": " + err);
      }
      double err = maxAbsDiff(w.explanation().cam(), whole.cam());
      System.out.printf("refine-cam through one whole-volume window vs one run: %.2e%n", err);
      assertTrue(err <= 1e-5, "the product: " + err);
    }
    for (String name : List.of("fem", "kpca-cam", "seg-eigen-cam", "finer-cam", "fullgrad", "random-cam", "dff")) {
      CamMethod m = method(name);
      Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> new SlidingWindowExplainer(PROTO,
          request(m, List.of("up2"), false), SlidingWindowExplainer.Settings.of(new long[] {24, 40, 32}), OPTIONS));
      assertTrue(e.getMessage().startsWith(name + " does not run per window: "), e.getMessage());
    }
  }

  /** The exported graph's map equals the explanation's (one graph); kpca-cam and dff are refused. */
  @Test
  void exportedGraphsEqualTheExplanation() {
    FloatTensor x = new FloatTensor(BATCH.slice0(0).data(), oneSample(BATCH.shape()));
    for (String name : List.of("fem", "seg-eigen-cam", "finer-cam", "fullgrad", "random-cam", "refine-cam")) {
      CamMethod m = method(name);
      try (Explainer ex = new Explainer(PROTO, request(m, List.of("up2"), false), OPTIONS)) {
        Explanation e = ex.explain(Map.of("input", x));
        ModelProto graph = ex.compiledGraph(Map.of("input", x.shape()));
        GradientEngine.Seed seed = Target.seed(List.of(Target.parse("2")), e.outputShape());
        Map<String, Object> feeds = new LinkedHashMap<>();
        feeds.put("input", x);
        feeds.put(SeedHead.SEED, seed.weights());
        feeds.put(SeedHead.GATE, seed.gate());
        try (OrtProgram p = OrtProgram.create(graph, OPTIONS, "exported")) {
          FloatTensor resized = (FloatTensor) p.run(feeds, List.of("resized_0")).get("resized_0");
          double err = maxAbsDiff(Normalise.perSample(resized), e.cam());
          System.out.printf("%-15s exported vs explain: %.2e%n", name, err);
          assertTrue(err <= 1e-5, name + ": " + err);
        }
      }
    }
    for (String name : List.of("kpca-cam", "dff")) {
      Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> Explainer.requireOneGraph(method(name)));
      assertTrue(e.getMessage().contains("is not one graph"), e.getMessage());
    }
  }

  /** dff's concepts: one map per concept in [0, 1] and, per class, shares whose magnitudes sum to 1. */
  @Test
  @SuppressWarnings("unchecked")
  void dffConceptsAndShares() {
    try (Explainer ex = new Explainer(PROTO, request(new Dff(3), List.of("up2"), false), OPTIONS)) {
      Explanation e = ex.explain(Map.of("input", BATCH));
      FloatTensor concepts = e.extras().maps().get("concepts");
      assertEquals(List.of(2L, 3L, 24L, 40L, 32L), java.util.Arrays.stream(concepts.shape()).boxed().toList());
      for (int b = 0; b < 2; b++) {
        for (int k = 0; k < 3; k++) {
          FloatTensor map = concepts.slice0(b).slice0(k);
          float min = Float.POSITIVE_INFINITY;
          for (float v : map.data()) {
            min = Math.min(min, v);
          }
          assertEquals(0f, min);
          assertEquals(1f, maxAbs(map));
        }
      }
      List<Object> samples = (List<Object>) e.extras().summary().get("samples");
      assertEquals(2, samples.size());
      for (Object o : samples) {
        Map<String, Object> s = (Map<String, Object>) o;
        double error = ((Number) s.get("relative_error")).doubleValue();
        assertTrue(error > 0 && error < 1, "relative error " + error);
        int best = ((Number) s.get("map_concept")).intValue();
        List<Double> target = (List<Double>) s.get("target_contribution");
        for (double c : target) {
          assertTrue(target.get(best) >= c, "the map is the concept contributing most to the target");
        }
        List<Object> classes = (List<Object>) s.get("classes");
        assertEquals(3, classes.size());
        Map<String, Object> class2 = (Map<String, Object>) classes.get(2);
        // the target is class 2 where the model predicts it: the same score, the same contributions
        assertEquals(target, class2.get("contribution"));
        double total = 0;
        for (double share : (List<Double>) class2.get("share")) {
          total += Math.abs(share);
        }
        assertEquals(1, total, 1e-12);
        assertNotNull(class2.get("region_voxels"));
      }
    }
  }
}
