package gradcam3d.cam.methods;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.OptionValueException;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.OcclusionGrid;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Request;
import gradcam3d.cam.Target;
import gradcam3d.graph.Graph;
import gradcam3d.onnx.Attributes;
import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.GraphProto;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.onnx.proto.Onnx.NodeProto;
import gradcam3d.onnx.proto.Onnx.OperatorSetIdProto;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.Score;
import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Occlusion sensitivity where it is computable by hand: a 2D "segmentation" model that is one
 * 3x3 convolution (class 0: the constant 0, class 1: w * x + b), so every target is a known
 * linear function of the input. For a batch of two different samples, each sample's region (class
 * 1 where the unperturbed prediction is 1, or the whole image) is fixed from its own input, each
 * occluded copy's target is evaluated here in double precision by convolving the occluded image,
 * and the windows (MONAI's placement, written out again here) are blended by their definition.
 * Also the budget rule, against a scan over overlaps.
 */
class OcclusionAnalyticTest {
  private static final int H = 12;
  private static final int W = 10;
  private static final float BIAS = 0.1f;

  /** Conv weights of class 1, a fixed draw. */
  private static float[] weights() {
    Random r = new Random(11);
    float[] w = new float[9];
    for (int i = 0; i < 9; i++) {
      w[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return w;
  }

  /** The model: input [B, 1, H, W] (batch dynamic) -> Conv 3x3, pad 1 -> logits [B, 2, H, W]. */
  static ModelProto model() {
    float[] w = new float[18];
    System.arraycopy(weights(), 0, w, 9, 9);
    GraphProto.Builder g = GraphProto.newBuilder().setName("linear2d")
        .addInput(Graph.valueInfo("input", DataTypes.FLOAT, new long[] {-1, 1, H, W}))
        .addInitializer(TensorProtos.ofFloats("w", w, new long[] {2, 1, 3, 3}))
        .addInitializer(TensorProtos.ofFloats("b", new float[] {0, BIAS}, new long[] {2}))
        .addNode(NodeProto.newBuilder().setOpType("Conv").setName("conv").addInput("input").addInput("w")
            .addInput("b").addOutput("logits").addAttribute(Attributes.of("pads", new long[] {1, 1, 1, 1}))
            .addAttribute(Attributes.of("kernel_shape", new long[] {3, 3})))
        .addOutput(Graph.valueInfo("logits", DataTypes.FLOAT, new long[] {-1, 2, H, W}));
    return ModelProto.newBuilder().setIrVersion(8).setProducerName("gradcam3d-test")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(g).build();
  }

  /** Two different samples [2, 1, H, W]. */
  static FloatTensor samples() {
    Random r = new Random(5);
    float[] x = new float[2 * H * W];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextDouble() * 2 - 1) + (i < H * W ? 0.3f : -0.2f);
    }
    return new FloatTensor(x, 2, 1, H, W);
  }

  /** Class 1's logit of an image [H][W] by direct convolution (zero padding), in double. */
  static double[][] logit1(double[][] x) {
    float[] w = weights();
    double[][] y = new double[H][W];
    for (int i = 0; i < H; i++) {
      for (int j = 0; j < W; j++) {
        double s = BIAS;
        for (int di = -1; di <= 1; di++) {
          for (int dj = -1; dj <= 1; dj++) {
            int a = i + di;
            int b = j + dj;
            if (a >= 0 && a < H && b >= 0 && b < W) {
              s += w[(di + 1) * 3 + dj + 1] * x[a][b];
            }
          }
        }
        y[i][j] = s;
      }
    }
    return y;
  }

  /** MONAI's window starts along one axis, from its sliding_window_inference as the notes define it. */
  static List<Integer> starts(int length, int m, double overlap) {
    int step = m == length ? m : Math.max(1, (int) (m * (1 - overlap)));
    List<Integer> s = new ArrayList<>();
    for (int d = 0; ; d++) {
      s.add(Math.min(d * step, length - m));
      if (d * step + m >= length) {
        return s;
      }
    }
  }

  /** The reference drop map T(x) - sensitivity for sample image x, region (null: all), windows m, blend weights. */
  static double[][] referenceDrop(double[][] x, boolean[][] region, int mh, int mw, double overlap,
      java.util.function.BiConsumer<double[][], int[]> occlude, float[] importance) {
    double t = target(logit1(x), region);
    double[][] num = new double[H][W];
    double[][] den = new double[H][W];
    for (int sh : starts(H, mh, overlap)) {
      for (int sw : starts(W, mw, overlap)) {
        double[][] xo = new double[H][];
        for (int i = 0; i < H; i++) {
          xo[i] = x[i].clone();
        }
        occlude.accept(xo, new int[] {sh, sw});
        double drop = t - target(logit1(xo), region);
        for (int i = 0; i < mh; i++) {
          for (int j = 0; j < mw; j++) {
            double imp = importance == null ? 1 : importance[i * mw + j];
            num[sh + i][sw + j] += imp * drop;
            den[sh + i][sw + j] += imp;
          }
        }
      }
    }
    for (int i = 0; i < H; i++) {
      for (int j = 0; j < W; j++) {
        num[i][j] /= den[i][j];
      }
    }
    return num;
  }

  static double target(double[][] y, boolean[][] region) {
    double s = 0;
    for (int i = 0; i < H; i++) {
      for (int j = 0; j < W; j++) {
        s += region == null || region[i][j] ? y[i][j] : 0;
      }
    }
    return s;
  }

  static double[][] image(FloatTensor x, int b) {
    double[][] im = new double[H][W];
    for (int i = 0; i < H; i++) {
      for (int j = 0; j < W; j++) {
        im[i][j] = x.data()[b * H * W + i * W + j];
      }
    }
    return im;
  }

  static Explanation explain(OcclusionMode mode, String target, int threads, int batchSize) {
    OcclusionSensitivity m = new OcclusionSensitivity(new long[] {4, 3}, 0.5, mode, null);
    Request req = new Request(List.of(), m, List.of(Target.parse(target)), 0,
        Score.LOGITS, false, batchSize, Progress.NONE);
    try (Explainer ex = new Explainer(model(), req, new RuntimeOptions(threads))) {
      return ex.explain(Map.of("input", samples()));
    }
  }

  static void assertDrops(Explanation e, OcclusionMode mode, boolean predictedRegion,
      java.util.function.BiFunction<double[][], Integer, java.util.function.BiConsumer<double[][], int[]>> occluder) {
    FloatTensor x = samples();
    FloatTensor a = e.attribution().values();
    assertArrayEquals(new long[] {2, 1, H, W}, a.shape());
    float[] importance = mode.gaussianBlend() ? OcclusionSensitivity.importance(new long[] {4, 3}, true) : null;
    for (int b = 0; b < 2; b++) {
      double[][] im = image(x, b);
      boolean[][] region = null;
      if (predictedRegion) {
        double[][] y = logit1(im);
        region = new boolean[H][W];
        for (int i = 0; i < H; i++) {
          for (int j = 0; j < W; j++) {
            region[i][j] = y[i][j] > 0; // argmax of (0, y1): class 1 where y1 > 0
          }
        }
      }
      double[][] ref = referenceDrop(im, region, 4, 3, 0.5, occluder.apply(im, b), importance);
      double max = 0;
      double diff = 0;
      for (int i = 0; i < H; i++) {
        for (int j = 0; j < W; j++) {
          max = Math.max(max, Math.abs(ref[i][j]));
          diff = Math.max(diff, Math.abs(ref[i][j] - a.data()[b * H * W + i * W + j]));
        }
      }
      assertTrue(max > 0.05, "sample " + b + ": occlusion moves the target (" + max + ")");
      assertTrue(diff < 1e-5 * max + 1e-6, "sample " + b + ": max|diff| " + diff + " of max|drop| " + max);
    }
  }

  @Test
  void valueModeOnAPredictedRegionOfEachSample() {
    Explanation e = explain(OcclusionMode.value(0.5f), "1", 2, 3);
    assertDrops(e, OcclusionMode.value(0.5f), true, (im, b) -> (xo, s) -> {
      for (int i = s[0]; i < s[0] + 4; i++) {
        for (int j = s[1]; j < s[1] + 3; j++) {
          xo[i][j] = 0.5;
        }
      }
    });
    // the map is ReLU(drop), min-max per sample; sensitivity + drop = T(x)
    FloatTensor sens = e.attribution().arrays().get("sensitivity");
    for (int b = 0; b < 2; b++) {
      double t = e.targetValues().data()[b];
      for (int v = b * H * W; v < (b + 1) * H * W; v++) {
        assertEquals(t, sens.data()[v] + e.attribution().values().data()[v], 1e-5 * Math.max(1, Math.abs(t)));
      }
    }
    assertEquals(2 * (5 * 8 + 1), e.attribution().cost().forwardPasses(), "40 windows + 1 per sample");
  }

  @Test
  void meanPatchAndGaussianOnTheWholeImage() {
    assertDrops(explain(OcclusionMode.MEAN_PATCH, "1:all", 1, 8), OcclusionMode.MEAN_PATCH, false, (im, b) -> (xo, s) -> {
      double sum = 0;
      for (int i = s[0]; i < s[0] + 4; i++) {
        for (int j = s[1]; j < s[1] + 3; j++) {
          sum += xo[i][j];
        }
      }
      for (int i = s[0]; i < s[0] + 4; i++) {
        for (int j = s[1]; j < s[1] + 3; j++) {
          xo[i][j] = sum / 12;
        }
      }
    });
    float[] mul = OcclusionMode.gaussianMultiplier(new long[] {4, 3});
    assertDrops(explain(OcclusionMode.GAUSSIAN, "1:all", 2, 1), OcclusionMode.GAUSSIAN, false, (im, b) -> (xo, s) -> {
      for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 3; j++) {
          xo[s[0] + i][s[1] + j] *= mul[i * 3 + j];
        }
      }
    });
  }

  @Test
  void aBatchScoresEachSampleAlone() {
    Explanation both = explain(OcclusionMode.MEAN_IMAGE, "1", 2, 4);
    OcclusionSensitivity m = new OcclusionSensitivity(new long[] {4, 3}, 0.5, OcclusionMode.MEAN_IMAGE, null);
    Request req = new Request(List.of(), m, List.of(Target.parse("1")), 0,
        Score.LOGITS, false, 4, Progress.NONE);
    FloatTensor second;
    try (Explainer ex = new Explainer(model(), req, new RuntimeOptions(2))) {
      second = ex.explain(Map.of("input", samples().slice0(1).reshape(1, 1, H, W))).attribution().values();
    }
    float[] a = both.attribution().values().data();
    for (int v = 0; v < H * W; v++) {
      assertEquals(second.data()[v], a[H * W + v], 1e-6, "sample 1 alone and in a batch");
    }
  }

  @Test
  void theBudgetChoosesTheLargestOverlapThatFits() {
    long[] volume = {24, 40, 32};
    for (long[] size : new long[][] {{8, 8, 8}, {8, 12, 5}}) {
      for (long budget : new long[] {61, 241, 315, 316, 1000, 5000}) {
        OcclusionGrid chosen;
        try {
          chosen = OcclusionGrid.forBudget(volume, size, budget, g -> g.count() + 1L);
        } catch (OptionValueException e) {
          // then even overlap 0 needs more
          assertTrue(OcclusionGrid.of(volume, size, 0).count() + 1L > budget, e.getMessage());
          continue;
        }
        assertTrue(chosen.count() + 1L <= budget, "fits");
        // no larger overlap fits: scan overlaps finely
        for (double o = chosen.overlap() + 1e-4; o < 1; o += 1e-4) {
          assertTrue(OcclusionGrid.of(volume, size, o).count() + 1L > budget,
              "overlap " + o + " also fits budget " + budget + " (chose " + chosen.overlap() + ")");
        }
      }
    }
    assertEquals(0.5, OcclusionGrid.forBudget(volume, new long[] {8, 8, 8}, 316, g -> g.count() + 1L).overlap());
    assertEquals(0.375, OcclusionGrid.forBudget(volume, new long[] {8, 8, 8}, 315, g -> g.count() + 1L).overlap());
    OptionValueException e = assertThrows(OptionValueException.class,
        () -> OcclusionGrid.forBudget(volume, new long[] {8, 8, 8}, 60, g -> g.count() + 1L));
    assertEquals("--occlusion-budget 60 is too small: windows of 8x8x8 need at least 61 forward passes (overlap 0); "
        + "give a larger budget or --occlusion-size", e.getMessage());
  }

  @Test
  void windowsLargerThanTheImageOrBadOverlapsAreOptionErrors() {
    OptionValueException big = assertThrows(OptionValueException.class,
        () -> explain(new long[] {13, 3}, OcclusionMode.GAUSSIAN));
    assertTrue(big.getMessage().startsWith("--occlusion-size 13x3 does not fit the input 12x10"), big.getMessage());
    OptionValueException axes = assertThrows(OptionValueException.class,
        () -> explain(new long[] {4, 3, 3}, OcclusionMode.GAUSSIAN));
    assertTrue(axes.getMessage().contains("has 3 sizes but the input has 2 spatial axes"), axes.getMessage());
    assertThrows(OptionValueException.class, () -> new OcclusionSensitivity(new long[] {4}, 1.0, OcclusionMode.GAUSSIAN, null));
    assertThrows(OptionValueException.class, () -> new OcclusionSensitivity(new long[] {4}, 0.5, OcclusionMode.GAUSSIAN, 10L));
    assertThrows(OptionValueException.class, () -> new OcclusionSensitivity(new long[] {4}, null, OcclusionMode.GAUSSIAN, 0L));
  }

  private static void explain(long[] size, OcclusionMode mode) {
    OcclusionSensitivity m = new OcclusionSensitivity(size, null, mode, null);
    Request req = new Request(List.of(), m, List.of(Target.parse("1")), 0,
        Score.LOGITS, false, 2, Progress.NONE);
    try (Explainer ex = new Explainer(model(), req, new RuntimeOptions(1))) {
      ex.explain(Map.of("input", samples()));
    }
  }
}
