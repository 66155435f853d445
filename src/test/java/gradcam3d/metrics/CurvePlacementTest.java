package gradcam3d.metrics;

import gradcam3d.cam.Request;
import gradcam3d.cam.methods.CamMethods;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.Score;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The curves' step placement and normalisation on planted models whose scores are known in closed
 * form (src/test/resources/metrics/planted_*.onnx, made by make_quantus_refs.py): a classifier
 * whose logit 0 is sum_v w_v x_v (logit 1 = 0), and a segmenter that predicts class 1 voxel by
 * voxel where x > 0.5, with logit 10 (x - 0.5).
 */
class CurvePlacementTest {
  static final Path DIR = Path.of("src/test/resources/metrics");
  static final RuntimeOptions OPTIONS = new RuntimeOptions(2);

  static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  @Test
  void classifierCurvesFollowTheGeometricScaleAndNormaliseToTheEnds() {
    ModelProto model = ModelIO.read(DIR.resolve("planted_cls3d.onnx"));
    float[] w = Npy.read(DIR.resolve("planted_cls3d_weights.npy")).data();
    int n = w.length;
    // x = c everywhere, so that the unperturbed logit is 4: sum w = (n + 1) / 2
    float c = (float) (8.0 / (n + 1));
    float[] ones = new float[n];
    Arrays.fill(ones, c);
    FloatTensor x = new FloatTensor(ones, 1, 1, 4, 5, 6);
    FloatTensor seed = new FloatTensor(new float[] {1, 0}, 1, 2);
    int steps = 11;
    FaithfulnessCurves f;
    // the planted map ranks voxels by their weight: the largest first
    try (TargetScorer scorer = new TargetScorer(model, 0, Score.PROBABILITIES, seed, 3, OPTIONS)) {
      f = FaithfulnessCurves.measure(scorer, x, w, Baseline.ZERO, null, StepSchedule.GEOMETRIC, steps, Double.NaN, 0,
          CurveScore.PROBABILITY);
    }
    // a classifier's first step is 1 % of the volume, then a geometric scale to 100 %
    for (int i = 0; i < steps; i++) {
      double fraction = i == 0 ? 0 : 0.01 * Math.pow(100, (i - 1) / (double) (steps - 2));
      assertEquals((int) Math.floor(n * fraction + 0.5), f.counts()[i], "voxels removed at point " + i);
      assertEquals((double) f.counts()[i] / n, f.fractions()[i], 0, "x is the fraction removed");
    }
    assertEquals(1, f.counts()[1]);
    double s0 = sigmoid(c * sum(w, 0, n));
    double sb = sigmoid(0);
    assertEquals(s0, f.unperturbedScore(), 1e-6);
    assertEquals(sb, f.baselineScore(), 1e-6);
    double auc = 0;
    for (int i = 0; i < steps; i++) {
      int k = f.counts()[i];
      // deletion zeroes the k largest weights (the last k voxels); insertion restores them into zeros
      double deleted = sigmoid(c * sum(w, 0, n - k));
      double inserted = sigmoid(c * sum(w, n - k, n));
      assertEquals(deleted, f.deletionScores()[i], 1e-6, "deletion score at point " + i);
      assertEquals(inserted, f.insertionScores()[i], 1e-6, "insertion score at point " + i);
      assertEquals((deleted - sb) / (s0 - sb), f.deletion()[i], 1e-5, "normalised deletion at point " + i);
      assertEquals((inserted - sb) / (s0 - sb), f.insertion()[i], 1e-5, "normalised insertion at point " + i);
      if (i > 0) {
        double prev = (sigmoid(c * sum(w, 0, n - f.counts()[i - 1])) - sb) / (s0 - sb);
        auc += (f.fractions()[i] - f.fractions()[i - 1]) * (prev + (deleted - sb) / (s0 - sb)) / 2;
      }
    }
    assertEquals(1.0, f.deletion()[0], 1e-6);
    assertEquals(0.0, f.deletion()[steps - 1], 1e-6);
    assertEquals(auc, f.deletionAuc(), 1e-5);
    assertTrue(f.deletionAuc() > 0 && f.deletionAuc() < 1);
  }

  @Test
  void aSmallTargetIsRemovedOverSeveralPoints() {
    ModelProto model = ModelIO.read(DIR.resolve("planted_seg3d.onnx"));
    long[] shape = {1, 1, 8, 10, 12};
    int n = 8 * 10 * 12;
    float[] v = new float[n];
    float[] planted = new float[n];
    // a 2 x 3 x 4 cube of class 1 (24 voxels, 2.5 % of the volume), ranked first, in index order
    int rank = 0;
    for (int z = 3; z < 5; z++) {
      for (int y = 4; y < 7; y++) {
        for (int xx = 5; xx < 9; xx++) {
          int i = (z * 10 + y) * 12 + xx;
          v[i] = 1;
          planted[i] = 1 - rank++ * 0.01f;
        }
      }
    }
    FloatTensor x = new FloatTensor(v, shape);
    Request request = Request.of(List.of(), CamMethods.byName("saliency"), Target.parse("1"));
    Explanation e;
    try (Explainer ex = new Explainer(model, request, OPTIONS)) {
      e = ex.explain(Map.of("input", x));
    }
    assertEquals(24, e.regionVoxels()[0]);
    Explanation withPlanted = e.withMaps(e.layers(), new FloatTensor(planted, 1, 8, 10, 12), 0);
    Evaluation ev = Evaluation.measure(model, request, Map.of("input", x), withPlanted, null,
        Evaluation.Settings.defaults().withSteps(11).withRandomSeeds(0).withBaseline(Baseline.ZERO), OPTIONS);
    FaithfulnessCurves f = ev.samples().get(0).curves();
    // the first step is a quarter of the target: 6 voxels
    assertEquals(0.025 / 4, f.fractions()[1], 1e-12);
    assertEquals(6, f.counts()[1]);
    int pointsInsideTheTarget = 0;
    for (int i = 0; i < f.counts().length; i++) {
      int removed = Math.min(24, f.counts()[i]);
      // each voxel's probability is its own: the region's mean falls linearly with the removed share
      assertEquals(1 - removed / 24.0, f.deletion()[i], 1e-5, "normalised deletion at point " + i);
      pointsInsideTheTarget += f.counts()[i] > 0 && f.counts()[i] < 24 ? 1 : 0;
    }
    assertTrue(pointsInsideTheTarget >= 3, "points resolving the target: " + pointsInsideTheTarget);
  }

  static double sum(float[] w, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += w[i];
    }
    return s;
  }
}
