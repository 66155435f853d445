package gradcam3d.runtime;

import static gradcam3d.onnx.Attributes.of;
import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.Fixtures;
import gradcam3d.testing.OpGraph;
import gradcam3d.volume.Npy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token layers [B, N, C] seen as volumes [B, C, *grid]. */
class TokenLayerTest {
  /** x [1, 1, 2, 3, 4] -> tokens t[0, n, c] = x_n * w_c (no Conv: nothing tells the grid) -> volume. */
  private static OpGraph tokensWithoutPatchConv(float[] w, String[] tokensName) {
    OpGraph g = new OpGraph(17, 1);
    String x = g.input("x", 1, 1, 2, 3, 4);
    String col = g.node("Reshape", List.of(x, g.ints(1, 24, 1)));
    String tokens = g.node("MatMul", List.of(col, g.constant(new FloatTensor(w, 1, w.length))));
    tokensName[0] = tokens;
    String mean = g.node("ReduceMean", List.of(tokens), of("axes", new long[] {2}), of("keepdims", 0L));
    g.output(g.node("Reshape", List.of(mean, g.ints(1, 1, 2, 3, 4))));
    return g;
  }

  @Test
  void givenGridViewsTokensAsTheVolumeTheyCover() {
    float[] w = {0.5f, -2f, 3f};
    String[] name = new String[1];
    OpGraph g = tokensWithoutPatchConv(w, name);
    FloatTensor x = g.inputs().get("x");
    String tokens = name[0];
    try (GradientEngine e = new GradientEngine(g.model(),
        GradientEngine.Config.of(List.of(new LayerSpec(tokens, new long[] {2, 3, 4}))), new RuntimeOptions(1))) {
      long[] os = e.outputShape(Map.of("x", x.shape()));
      GradientEngine.Result r = e.run(Map.of("x", x), new GradientEngine.Seed(onesLike(os), FloatTensor.zeros(1, 1)));
      FloatTensor a = r.activation(0);
      assertArrayEquals(new long[] {1, 3, 2, 3, 4}, a.shape());
      FloatTensor dA = r.gradient(0);
      for (int c = 0; c < 3; c++) {
        for (int n = 0; n < 24; n++) {
          // channel c of the view at grid cell n is token n's feature c; dT/dtoken = 1/3 (the mean)
          assertEquals(x.data()[n] * w[c], a.data()[c * 24 + n], 1e-6);
          assertEquals(1f / 3, dA.data()[c * 24 + n], 1e-6);
        }
      }
    }
    try (GradientEngine e = new GradientEngine(g.model(), GradientEngine.Config.of(List.of(LayerSpec.named(tokens))),
        new RuntimeOptions(1))) {
      Gradcam3dException ex = assertThrows(Gradcam3dException.class,
          () -> e.outputShape(Map.of("x", x.shape())));
      assertTrue(ex.getMessage().contains("token sequence [1, 24, 3]") && ex.getMessage().contains("--token-grid"),
          ex.getMessage());
    }
  }

  private static FloatTensor onesLike(long[] shape) {
    FloatTensor t = FloatTensor.zeros(shape);
    java.util.Arrays.fill(t.data(), 1f);
    return t;
  }

  @Test
  void gridFoundFromThePatchEmbeddingEqualsTheGivenOne() {
    Fixtures.Case c = Fixtures.cases(Fixtures.ARCHITECTURES).stream()
        .filter(k -> k.name().startsWith("vit_cls__")).findFirst().orElseThrow();
    FloatTensor x = Npy.read(c.inputNpy());
    FloatTensor[] acts = new FloatTensor[2];
    List<LayerSpec> specs = List.of(LayerSpec.named(c.layerSpec()), new LayerSpec(c.layerSpec(), new long[] {2, 3, 4}));
    for (int i = 0; i < 2; i++) {
      try (GradientEngine e = new GradientEngine(ModelIO.read(c.model()), GradientEngine.Config.of(List.of(specs.get(i))),
          new RuntimeOptions(2))) {
        long[] os = e.outputShape(Map.of("input", x.shape()));
        acts[i] = e.run(Map.of("input", x), FixtureGradientTest.seedFor(c, os)).activation(0);
      }
    }
    assertArrayEquals(new long[] {1, 12, 2, 3, 4}, acts[0].shape());
    assertEquals(0.0, maxAbsDiff(acts[0], acts[1]));
    assertEquals(0.0, maxAbsDiff(acts[0], c.expected("activation")), 1e-4 * maxAbs(c.expected("activation")));
  }

  /**
   * The program cache keys a program by its layers' grids too: the same token layer seen on
   * two grids of 24 cells is two programs (the second a miss, not the first one's hit, whose
   * activations would have the first grid's shape), each found again on its own.
   */
  @Test
  void differentGridsAreDifferentCachedPrograms(@TempDir Path tmp) {
    float[] w = {0.5f, -2f, 3f};
    String[] name = new String[1];
    OpGraph g = tokensWithoutPatchConv(w, name);
    FloatTensor x = g.inputs().get("x");
    Path file = tmp.resolve("tokens.onnx");
    ModelIO.write(g.model(), file, Long.MAX_VALUE);
    GradientEngine.Config z234 = GradientEngine.Config.of(List.of(new LayerSpec(name[0], new long[] {2, 3, 4})));
    GradientEngine.Config z432 = GradientEngine.Config.of(List.of(new LayerSpec(name[0], new long[] {4, 3, 2})));
    assertNotEquals(z234.description(), z432.description());
    String saved = System.getProperty(ProgramCache.PROPERTY);
    System.setProperty(ProgramCache.PROPERTY, tmp.resolve("programs").toString());
    try {
      String[] caches = new String[3];
      FloatTensor[] acts = new FloatTensor[3];
      GradientEngine.Config[] configs = {z234, z432, z234};
      for (int i = 0; i < 3; i++) {
        try (GradientEngine e = new GradientEngine(ModelIO.read(file), configs[i], new RuntimeOptions(1))) {
          GradientEngine.Result r = e.run(Map.of("x", x),
              new GradientEngine.Seed(onesLike(e.outputShape(Map.of("x", x.shape()))), FloatTensor.zeros(1, 1)));
          caches[i] = r.compileStats().cache();
          acts[i] = r.activation(0);
        }
      }
      assertArrayEquals(new String[] {"miss", "miss", "hit"}, caches);
      assertArrayEquals(new long[] {1, 3, 2, 3, 4}, acts[0].shape());
      assertArrayEquals(new long[] {1, 3, 4, 3, 2}, acts[1].shape());
      assertArrayEquals(acts[0].shape(), acts[2].shape());
      assertArrayEquals(acts[0].data(), acts[2].data());
    } finally {
      if (saved == null) {
        System.clearProperty(ProgramCache.PROPERTY);
      } else {
        System.setProperty(ProgramCache.PROPERTY, saved);
      }
    }
  }
}
