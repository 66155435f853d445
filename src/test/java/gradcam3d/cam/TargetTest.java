package gradcam3d.cam;

import gradcam3d.cam.methods.CamMethods;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.Score;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.Fixtures;
import gradcam3d.volume.Npy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Target values and regions against sums computed directly from PyTorch's model output. */
class TargetTest {
  private static final ModelProto MODEL = ModelIO.read(Fixtures.ROOT.resolve("models/seed_unet3d.onnx"));
  private static final FloatTensor X = Npy.read(Fixtures.ROOT.resolve("inputs/seed_unet3d.npy"));
  private static final FloatTensor OUT = Npy.read(Fixtures.ROOT.resolve("models/seed_unet3d.output.npy"));
  private static final int Z = 24;
  private static final int Y = 40;
  private static final int XX = 32;

  private static float out(int k, int z, int y, int x) {
    return OUT.data()[((k * Z + z) * Y + y) * XX + x];
  }

  private static int argmax(int z, int y, int x) {
    int best = 0;
    for (int k = 1; k < 3; k++) {
      if (out(k, z, y, x) > out(best, z, y, x)) {
        best = k;
      }
    }
    return best;
  }

  private static Explanation explain(String target, Score score) {
    Request req = Request.builder(LayerSpec.names("down3"), CamMethods.byName("gradcam"),
        Target.parse(target)).score(score).build();
    try (Explainer e = new Explainer(MODEL, req, new RuntimeOptions(2))) {
      return e.explain(Map.of("input", X));
    }
  }

  private interface Region {
    boolean inside(int z, int y, int x);
  }

  private static double[] sum(int k, Region r, boolean probabilities) {
    double s = 0;
    long n = 0;
    for (int z = 0; z < Z; z++) {
      for (int y = 0; y < Y; y++) {
        for (int x = 0; x < XX; x++) {
          if (!r.inside(z, y, x)) {
            continue;
          }
          double v = out(k, z, y, x);
          if (probabilities) {
            double denom = 0;
            for (int j = 0; j < 3; j++) {
              denom += Math.exp(out(j, z, y, x));
            }
            v = Math.exp(v) / denom;
          }
          s += v;
          n++;
        }
      }
    }
    return new double[] {s, n};
  }

  private static void check(String target, Score score, int k, Region r) {
    Explanation e = explain(target, score);
    double[] ref = sum(k, r, score == Score.PROBABILITIES);
    assertEquals(ref[0], e.targetValues().data()[0], 1e-4 * Math.max(1, Math.abs(ref[0])), target + " value");
    assertEquals((long) ref[1], e.regionVoxels()[0], target + " region");
  }

  @Test
  void predictedMask() {
    check("1", Score.LOGITS, 1, (z, y, x) -> argmax(z, y, x) == 1);
  }

  @Test
  void wholeVolume() {
    check("2:all", Score.LOGITS, 2, (z, y, x) -> true);
  }

  @Test
  void boxWithExclusiveEnds() {
    check("1:box=2,3,4,10,20,30", Score.LOGITS, 1,
        (z, y, x) -> z >= 2 && z < 10 && y >= 3 && y < 20 && x >= 4 && x < 30);
  }

  @Test
  void oneVoxel() {
    check("0:voxel=5,6,7", Score.LOGITS, 0, (z, y, x) -> z == 5 && y == 6 && x == 7);
  }

  @Test
  void probabilities() {
    check("1:all", Score.PROBABILITIES, 1, (z, y, x) -> true);
    check("2", Score.PROBABILITIES, 2, (z, y, x) -> argmax(z, y, x) == 2);
  }

  @Test
  void eachSampleGetsItsOwnTarget() {
    FloatTensor batch = Npy.read(Fixtures.ROOT.resolve("inputs/seed_unet3d_batch2.npy"));
    Request req = Request.of(LayerSpec.names("down3"), CamMethods.byName("gradcam"),
        Target.parse("2"));
    try (Explainer e = new Explainer(MODEL, req, new RuntimeOptions(2))) {
      Explanation both = e.explain(Map.of("input", batch), List.of(Target.parse("2"), Target.parse("1")));
      Explanation first = e.explain(Map.of("input", batch.slice0(0).reshape(1, 1, Z, Y, XX)), List.of(Target.parse("2")));
      Explanation second = e.explain(Map.of("input", batch.slice0(1).reshape(1, 1, Z, Y, XX)), List.of(Target.parse("1")));
      assertEquals(first.targetValues().data()[0], both.targetValues().data()[0], 1e-3);
      assertEquals(second.targetValues().data()[0], both.targetValues().data()[1], 1e-3);
      // no cross-talk: each sample's map is what it gets alone
      assertTrue(maxAbsDiff(both.cam().slice0(0), first.cam().slice0(0)) < 1e-5);
      assertTrue(maxAbsDiff(both.cam().slice0(1), second.cam().slice0(0)) < 1e-5);
      assertEquals(1, both.explainedClass(1));
    }
  }

  @Test
  void parsingErrorsAreSpecific() {
    assertThrows(Gradcam3dException.class, () -> Target.parse("x"));
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> explain("1:box=1,2,3", Score.LOGITS));
    assertTrue(e.getMessage().contains("needs 6 coordinates"), e.getMessage());
    e = assertThrows(Gradcam3dException.class, () -> explain("1:voxel=0,0,99", Score.LOGITS));
    assertTrue(e.getMessage().contains("outside the output grid"), e.getMessage());
    e = assertThrows(Gradcam3dException.class, () -> explain("argmax", Score.LOGITS));
    assertTrue(e.getMessage().contains("for classifiers"), e.getMessage());
  }

  @Test
  void severalLayersAggregateTheirFinalMaps() {
    Fixtures.Case c2 = Fixtures.cases().stream().filter(c -> c.name().equals("list_encoder3d__encoder@2__gradcam")).findFirst().orElseThrow();
    Fixtures.Case c1 = Fixtures.cases().stream().filter(c -> c.name().equals("list_encoder3d__encoder@1__gradcam")).findFirst().orElseThrow();
    Request req = Request.of(LayerSpec.names("encoder@2", "encoder@1"),
        CamMethods.byName("gradcam"),
        Target.parse(Integer.toString(c2.targetClass())));
    try (Explainer e = new Explainer(ModelIO.read(c2.model()), req, new RuntimeOptions(2))) {
      Explanation ex = e.explain(Map.of("input", Npy.read(c2.inputNpy())));
      FloatTensor a = c2.expected("cam");
      FloatTensor b = c1.expected("cam");
      assertTrue(maxAbsDiff(ex.layers().get(0).cam(), a) <= 2e-3);
      assertTrue(maxAbsDiff(ex.layers().get(1).cam(), b) <= 2e-3);
      float[] mean = new float[a.size()];
      float min = Float.MAX_VALUE;
      float max = -Float.MAX_VALUE;
      for (int i = 0; i < mean.length; i++) {
        mean[i] = (a.data()[i] + b.data()[i]) / 2;
        min = Math.min(min, mean[i]);
        max = Math.max(max, mean[i]);
      }
      for (int i = 0; i < mean.length; i++) {
        mean[i] = (mean[i] - min) / (max - min);
      }
      assertTrue(maxAbsDiff(ex.cam(), new FloatTensor(mean, a.shape())) <= 2e-3);
    }
  }
}
