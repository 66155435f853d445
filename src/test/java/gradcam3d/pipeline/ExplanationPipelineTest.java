package gradcam3d.pipeline;

import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.cam.methods.CamMethods;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Normalise;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.runtime.Score;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.Fixtures;
import gradcam3d.testing.Fixtures.Case;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Fixture cases through the library entry point alone (no command-line classes), against PyTorch. */
class ExplanationPipelineTest {
  static Stream<Case> cases() {
    // one segmentation case per kind of method (in graph, on host, perturbation) and a classifier
    return Fixtures.cases().stream().filter(c -> List.of("seed_unet3d__down3__gradcam", "seed_unet3d__down3__eigencam",
        "seed_unet3d__down3__scorecam", "cls2d__features-8__gradcam++", "nnunet_like3d__encoder-2__gradcam")
        .contains(c.name()));
  }

  private static Settings settingsFor(Case c) {
    String target = !c.isSegmentation() ? "argmax"
        : c.maskKind().equals("mask") ? c.targetClass() + ":mask=" + c.maskNpy() : Integer.toString(c.targetClass());
    return Settings.of(c.model(), LayerSpec.names(c.layerSpec())).withMethod(CamMethods.byName(c.method()))
        .withTargets(List.of(Target.parse(target))).withModelOutput(c.modelOutput()).withThreads(2).withBatchSize(8);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void fixtureCaseMatchesPytorch(Case c) {
    try (ExplanationPipeline p = new ExplanationPipeline(settingsFor(c))) {
      CaseResult r = p.run(CaseInput.of(c.inputNpy()));
      FloatTensor ref = c.expected("cam");
      FloatTensor refLayer = c.expected("cam_layer");
      assertArrayEquals(ref.shape(), r.explanation().cam().shape());
      double camErr = maxAbsDiff(r.explanation().cam(), ref);
      double layerErr = maxAbsDiff(r.explanation().layers().get(0).camLayer(), refLayer);
      assertTrue(camErr <= 2e-3, c + ": cam max|diff| " + camErr);
      assertTrue(layerErr <= 2e-3 * Math.max(1, maxAbs(refLayer)), c + ": cam_layer max|diff| " + layerErr);
      assertEquals(ref.dim(0), r.targets().size());
      if (c.targetValue() != null && ref.dim(0) == 1) {
        assertEquals(c.targetValue(), r.targets().get(0).value(), 1e-3 * Math.max(1, Math.abs(c.targetValue())));
      }
    }
  }

  /** The stages one by one: the resize stage's maps, normalised by their own min and max, are the final maps. */
  @Test
  void resizeAndNormaliseAreSeparateStages() {
    Case c = Fixtures.cases().stream().filter(k -> k.name().equals("seed_unet3d__down3__gradcam")).findFirst()
        .orElseThrow();
    Settings s = settingsFor(c).withTargets(List.of(Target.parse(Integer.toString(c.targetClass()))));
    try (ExplanationPipeline p = new ExplanationPipeline(s)) {
      LoadedCase loaded = p.load(CaseInput.of(c.inputNpy()));
      List<Target> targets = p.resolveTargets(loaded);
      Explanation resized = p.explain(loaded, targets);
      assertNull(resized.cam(), "no aggregate before normalisation");
      FloatTensor raw = resized.layers().get(0).cam();
      assertArrayEquals(c.expected("cam").shape(), raw.shape(), "resized to the input grid");
      float min = Float.MAX_VALUE;
      float max = -Float.MAX_VALUE;
      for (float v : raw.data()) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      assertTrue(min >= 0, "ReLU before the resize keeps the map non-negative: " + min);
      float layerMax = 0;
      for (float v : resized.layers().get(0).camLayer().data()) {
        layerMax = Math.max(layerMax, v);
      }
      // linear interpolation mixes neighbours convexly: the peak cannot exceed the layer map's
      assertTrue(max > 0 && max <= layerMax * (1 + 1e-6), "resized max " + max + " vs layer max " + layerMax);
      assertTrue(Math.abs(max - 1) > 1e-3, "not normalised yet: max " + max);
      FloatTensor fin = p.normalise(resized).cam();
      for (int i = 0; i < raw.size(); i += 97) {
        assertEquals((raw.data()[i] - min) / (max - min), fin.data()[i], 1e-6);
      }
      assertTrue(maxAbsDiff(fin, c.expected("cam")) <= 2e-3);
    }
  }

  /** Several layers: the aggregate is the min-max of the mean of the per-layer final maps. */
  @Test
  void aggregateOfTwoLayersIsTheNormalisedMean() {
    FloatTensor a = new FloatTensor(new float[] {0, 1, 0.5f, 0, 0, 0}, 2, 3);
    FloatTensor b = new FloatTensor(new float[] {1, 0, 0.5f, 0, 0, 0}, 2, 3);
    FloatTensor m = Normalise.aggregate(List.of(a, b));
    // sample 0: mean 0.5, 0.5, 0.5 is constant: min-max gives 0 everywhere; sample 1 stays zero
    assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0}, m.data());
    FloatTensor c = new FloatTensor(new float[] {0, 1, 1, 0, 2, 4}, 2, 3);
    assertArrayEquals(new float[] {0, 1, 1, 0, 0.5f, 1}, Normalise.perSample(c).data());
  }

  /**
   * A perturbation batch far above the layer's channel count is capped at it (it asked ONNX
   * Runtime for 122 GB before): same weights and map as PyTorch's.
   */
  @Test
  void scoreCamBatchIsCappedAtTheChannelCount() {
    Case c = Fixtures.cases().stream().filter(k -> k.name().equals("seed_unet3d__down3__scorecam")).findFirst()
        .orElseThrow();
    try (ExplanationPipeline p = new ExplanationPipeline(settingsFor(c).withBatchSize(1_000_000))) {
      CaseResult r = p.run(CaseInput.of(c.inputNpy()));
      assertTrue(maxAbsDiff(r.explanation().cam(), c.expected("cam")) <= 2e-3);
      float[][] w = r.explanation().layers().get(0).channelWeights();
      FloatTensor ref = c.expected("weights");
      for (int k = 0; k < w[0].length; k++) {
        assertEquals(ref.data()[k], w[0][k], 1e-4, "weight of channel " + k);
      }
    }
  }

  /**
   * Score-CAM on an opset-11 model: the Resize its perturbation graph emits needs explicit roi
   * and scales before opset 13 (the one Resize emitter handles both); same map as at opset 17.
   */
  @Test
  void scoreCamOnAnOpset11Model(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
    Case c = Fixtures.cases().stream().filter(k -> k.name().equals("cls2d__features-8__scorecam")).findFirst()
        .orElseThrow();
    gradcam3d.onnx.proto.Onnx.ModelProto m = gradcam3d.onnx.ModelIO.read(c.model());
    gradcam3d.onnx.proto.Onnx.ModelProto.Builder b = m.toBuilder();
    b.setOpsetImport(0, b.getOpsetImport(0).toBuilder().setVersion(11));
    java.nio.file.Path old = tmp.resolve("cls2d_opset11.onnx");
    gradcam3d.onnx.ModelIO.write(b.build(), old, Long.MAX_VALUE);
    Settings s = new Settings(old, null, List.of(LayerSpec.named(c.layerSpec())), CamMethods.byName("scorecam"),
        List.of(Target.parse("argmax")),
        gradcam3d.runtime.Score.LOGITS, 0, gradcam3d.volume.Layout.ZYX,
        gradcam3d.volume.Normalization.NONE, 2, 8, false, gradcam3d.cam.Progress.NONE);
    try (ExplanationPipeline p = new ExplanationPipeline(s)) {
      CaseResult r = p.run(CaseInput.of(c.inputNpy()));
      double err = maxAbsDiff(r.explanation().cam(), c.expected("cam"));
      assertTrue(err <= 2e-3, "opset 11: cam max|diff| " + err);
    }
  }
}
