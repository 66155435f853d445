package gradcam3d.runtime;

import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.Fixtures;
import gradcam3d.volume.Npy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GradientEngineTest {
  private final ModelProto model = ModelIO.read(Fixtures.ROOT.resolve("models/seed_unet3d.onnx"));

  @Test
  void oneProgramPerInputShapeReusedAcrossInputs() {
    FloatTensor x = Npy.read(Fixtures.ROOT.resolve("inputs/seed_unet3d.npy"));
    try (GradientEngine engine = new GradientEngine(model, GradientEngine.Config.of(LayerSpec.names("down3")),
        new RuntimeOptions(1))) {
      Map<String, long[]> shape = Map.of("input", x.shape());
      GradientEngine.Compiled first = engine.compiled(shape);
      long[] os = engine.outputShape(shape);
      GradientEngine.Seed seed = Target.seed(List.of(Target.parse("2")), os);
      GradientEngine.Result a = engine.run(Map.of("input", x), seed);
      float[] scaled = x.data().clone();
      for (int i = 0; i < scaled.length; i++) {
        scaled[i] *= 0.5f;
      }
      GradientEngine.Result b = engine.run(Map.of("input", new FloatTensor(scaled, x.shape())), seed);
      assertSame(first, engine.compiled(shape), "same shape, same compiled program and session");
      assertTrue(maxAbsDiff(a.activation(0), b.activation(0)) > 0, "a different input gives different activations");
      assertArrayEquals(new long[] {1, 24, 3, 5, 4}, a.gradient(0).shape());
      GradientEngine.Compiled other = engine.compiled(Map.of("input", new long[] {1, 1, 16, 16, 16}));
      assertNotSame(first, other);
      assertArrayEquals(new long[] {1, 3, 16, 16, 16}, engine.outputShape(Map.of("input", new long[] {1, 1, 16, 16, 16})));
    }
  }

  @Test
  void aForwardProgramWithoutTargetTakesNoSeedAndGivesTheSameOutputs() {
    FloatTensor x = Npy.read(Fixtures.ROOT.resolve("inputs/seed_unet3d.npy"));
    Map<String, long[]> shape = Map.of("input", x.shape());
    GradientEngine.Config.Builder forward = GradientEngine.Config.builder(LayerSpec.names("down3")).forwardOnly();
    try (GradientEngine withTarget = new GradientEngine(model, forward.build(), new RuntimeOptions(1));
        GradientEngine without = new GradientEngine(model, forward.withoutTarget().build(), new RuntimeOptions(1))) {
      GradientEngine.Seed seed = Target.seed(List.of(Target.parse("2")), withTarget.outputShape(shape));
      GradientEngine.Result a = withTarget.run(Map.of("input", x), seed);
      GradientEngine.Result b = without.run(Map.of("input", x), null);
      assertEquals(0.0, maxAbsDiff(a.activation(0), b.activation(0)));
      assertEquals(0.0, maxAbsDiff(a.modelOutput(), b.modelOutput()));
      assertTrue(a.has(SeedHead.TARGET));
      assertFalse(b.has(SeedHead.TARGET), "no target computed");
      assertEquals(List.of("input"), without.program(shape).toModel().getGraph().getInputList().stream()
          .map(v -> v.getName()).toList(), "no seed fed");
      assertTrue(withTarget.program(shape).toModel().getGraph().getInputList().stream()
          .anyMatch(v -> v.getName().equals(SeedHead.SEED)));
    }
    // a gradient needs the target
    org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> GradientEngine.Config.builder(LayerSpec.names("down3")).withoutTarget().build());
  }

  /**
   * An ungated program against the gated one with the gate off (a box target): the same target,
   * region counts, gradient and effective seed, bitwise; it has no gate input and no ArgMax, and
   * refuses a seed whose gate is on (a predicted-class target).
   */
  @Test
  void anUngatedProgramGivesWhatTheGatedOneGivesWithTheGateOff() {
    FloatTensor x = Npy.read(Fixtures.ROOT.resolve("inputs/seed_unet3d.npy"));
    Map<String, long[]> shape = Map.of("input", x.shape());
    GradientEngine.Config.Builder config = GradientEngine.Config.builder(LayerSpec.names("down3"))
        .extension(p -> p.addOutput(SeedHead.EFFECTIVE_SEED), "effective-seed");
    try (GradientEngine gated = new GradientEngine(model, config.build(), new RuntimeOptions(1));
        GradientEngine ungated = new GradientEngine(model, config.ungated().build(), new RuntimeOptions(1))) {
      long[] os = gated.outputShape(shape);
      GradientEngine.Seed box = Target.seed(List.of(Target.parse("1:box=2,3,1,12,14,9")), os);
      GradientEngine.Result a = gated.run(Map.of("input", x), box);
      GradientEngine.Result b = ungated.run(Map.of("input", x), box);
      assertTrue(a.targetValues().data()[0] != 0);
      assertEquals(0.0, maxAbsDiff(a.targetValues(), b.targetValues()));
      assertEquals(0.0, maxAbsDiff(a.regionVoxels(), b.regionVoxels()));
      assertEquals(0.0, maxAbsDiff(a.gradient(0), b.gradient(0)));
      assertEquals(0.0, maxAbsDiff(a.floats(SeedHead.EFFECTIVE_SEED), b.floats(SeedHead.EFFECTIVE_SEED)));
      assertFalse(b.has(SeedHead.PREDICTED), "no predicted voxels counted");
      ModelProto program = ungated.program(shape).toModel();
      assertTrue(program.getGraph().getInputList().stream().noneMatch(v -> v.getName().equals(SeedHead.GATE)));
      assertTrue(program.getGraph().getNodeList().stream().noneMatch(n -> n.getOpType().equals("ArgMax")));
      assertTrue(program.getGraph().getOutputList().stream().noneMatch(v -> v.getName().equals(SeedHead.EFFECTIVE_SEED)),
          "the effective seed is the seed fed, not an output");
      GradientEngine.Seed predicted = Target.seed(List.of(Target.parse("1")), os);
      org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
          () -> ungated.run(Map.of("input", x), predicted));
    }
  }

  /**
   * An ungated program without its target value: the same gradient and region counts bitwise, no
   * value returned, and the model's last op (its output only the value read: the seed's gradient
   * with respect to logits is the seed) is pruned from the program.
   */
  @Test
  void aProgramWithoutTheTargetValueComputesTheSameGradientWithoutTheLastLayer() {
    FloatTensor x = Npy.read(Fixtures.ROOT.resolve("inputs/seed_unet3d.npy"));
    Map<String, long[]> shape = Map.of("input", x.shape());
    GradientEngine.Config.Builder config = GradientEngine.Config.builder(LayerSpec.names("down3")).ungated()
        .tensors(false, false).extension(p -> p.addOutput(p.layers().get(0).gradient()), "gradient");
    try (GradientEngine valued = new GradientEngine(model, config.build(), new RuntimeOptions(1));
        GradientEngine unvalued = new GradientEngine(model, config.withoutTargetValue().build(), new RuntimeOptions(1))) {
      long[] os = valued.outputShape(shape);
      GradientEngine.Seed box = Target.seed(List.of(Target.parse("1:box=2,3,1,12,14,9")), os);
      GradientEngine.Result a = valued.run(Map.of("input", x), box);
      GradientEngine.Result b = unvalued.run(Map.of("input", x), box);
      assertTrue(a.has(SeedHead.TARGET));
      assertFalse(b.has(SeedHead.TARGET), "no target value");
      String gradient = valued.program(shape).layers().get(0).gradient();
      assertTrue(maxAbs(a.floats(gradient)) > 0);
      assertEquals(0.0, maxAbsDiff(a.floats(gradient), b.floats(gradient)));
      assertEquals(0.0, maxAbsDiff(a.regionVoxels(), b.regionVoxels()));
      String output = model.getGraph().getOutput(0).getName();
      assertTrue(produces(valued.program(shape).toModel(), output), "the model output is computed for the value");
      assertFalse(produces(unvalued.program(shape).toModel(), output), "the model output is pruned");
      assertTrue(unvalued.program(shape).toModel().getGraph().getNodeCount()
          < valued.program(shape).toModel().getGraph().getNodeCount());
    }
    // a gated program's value is its predicted mask's check: it keeps it
    org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> GradientEngine.Config.builder(LayerSpec.names("down3")).withoutTargetValue().build());
  }

  private static boolean produces(ModelProto m, String tensor) {
    return m.getGraph().getNodeList().stream().anyMatch(n -> n.getOutputList().contains(tensor));
  }

  private static double maxAbs(FloatTensor t) {
    double m = 0;
    for (float v : t.data()) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }
}
