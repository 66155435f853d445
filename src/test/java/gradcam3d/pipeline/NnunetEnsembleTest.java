package gradcam3d.pipeline;

import static gradcam3d.testing.Tensors.maxAbs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.testing.Tensors;
import gradcam3d.graph.Graph;
import gradcam3d.graph.ModelEnsemble;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.OrtProgram;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import gradcam3d.volume.AxisMap;
import gradcam3d.volume.Npy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nnU-Net's test-time mirroring and fold ensemble as one ONNX model ({@link ModelEnsemble}),
 * checked against plain ONNX Runtime runs of the model (each flip run and averaged here), central
 * finite differences of the ensemble, and the single model's explanation.
 */
class NnunetEnsembleTest {
  static final Path MODEL = Path.of("src/test/resources/fixtures/sliding/models/seed_unet3d_sw.onnx");
  static final long[] SHAPE = {1, 1, 16, 16, 16};

  @TempDir
  Path tmp;

  static FloatTensor input(long seed) {
    Random rng = new Random(seed);
    float[] d = new float[(int) Shapes.numel(SHAPE)];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) rng.nextGaussian();
    }
    return new FloatTensor(d, SHAPE);
  }

  /** The model's output on {@code x} (plain ONNX Runtime). */
  static FloatTensor run(ModelProto m, FloatTensor x) {
    try (OrtProgram p = OrtProgram.create(m, new RuntimeOptions(1), "test model")) {
      String in = p.inputNames().iterator().next();
      String out = Graph.fromModel(m).outputNames().get(0);
      return (FloatTensor) p.run(Map.of(in, x), List.of(out)).get(out);
    }
  }

  /** {@code t} [B, C, *S] flipped over the given spatial axes. */
  static FloatTensor flip(FloatTensor t, int[] axes) {
    boolean[] f = new boolean[3];
    for (int a : axes) {
      f[a] = true;
    }
    return new AxisMap(new int[] {0, 1, 2}, f).apply(t);
  }

  @Test
  void mirroredPredictionIsTheAverageOfTheFlippedRunsAndItsGradientIsExact() {
    ModelProto model = ModelIO.read(MODEL);
    int[] axes = {0, 1, 2};
    ModelProto tta = ModelEnsemble.build(List.of(model), axes, List.of(LayerSpec.named("down3")));
    FloatTensor x = input(3);
    FloatTensor got = run(tta, x);
    // nnU-Net's _internal_maybe_mirror_and_predict, one flip at a time
    List<int[]> mirrors = ModelEnsemble.mirrors(axes);
    assertEquals(8, mirrors.size());
    double[] sum = new double[got.size()];
    for (int[] m : mirrors) {
      float[] y = flip(run(model, flip(x, m)), m).data();
      for (int i = 0; i < sum.length; i++) {
        sum[i] += y[i];
      }
    }
    double err = 0;
    double scale = 0;
    double fromPlain = 0;
    float[] plain = run(model, x).data();
    for (int i = 0; i < sum.length; i++) {
      err = Math.max(err, Math.abs(got.data()[i] - sum[i] / mirrors.size()));
      scale = Math.max(scale, Math.abs(sum[i] / mirrors.size()));
      fromPlain = Math.max(fromPlain, Math.abs(plain[i] - sum[i] / mirrors.size()));
    }
    System.out.printf("tta: max|ensemble - mean of flipped runs| %.2e (scale %.2f; the plain run differs by %.2e)%n",
        err, scale, fromPlain);
    assertTrue(err <= 1e-5 * scale, "max|diff| " + err);
    assertTrue(fromPlain > 1e-3 * scale, "the mirrors must change the prediction for this check to mean anything");

    // d(sum(seed * y))/dx of the ensemble against central differences of its ONNX Runtime runs
    String in = Graph.fromModel(tta).inputNames().get(0);
    Random rng = new Random(11);
    float[] seed = new float[got.size()];
    for (int i = 0; i < seed.length; i++) {
      seed[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    long[] os = got.shape();
    FloatTensor gradient;
    try (GradientEngine engine = new GradientEngine(tta, GradientEngine.Config.of(LayerSpec.names(in)),
        new RuntimeOptions(1))) {
      gradient = engine.run(Map.of(in, x), new GradientEngine.Seed(new FloatTensor(seed, os),
          FloatTensor.zeros(os[0], os[1]))).gradient(0);
    }
    double h = 1e-2;
    double worst = 0;
    try (OrtProgram p = OrtProgram.create(tta, new RuntimeOptions(1), "tta")) {
      String out = Graph.fromModel(tta).outputNames().get(0);
      for (int k = 0; k < 24; k++) {
        int i = rng.nextInt(x.size());
        double[] t = new double[2];
        for (int s = 0; s < 2; s++) {
          float[] d = x.data().clone();
          d[i] += (float) (s == 0 ? h : -h);
          float[] y = ((FloatTensor) p.run(Map.of(in, new FloatTensor(d, SHAPE)), List.of(out)).get(out)).data();
          for (int j = 0; j < y.length; j++) {
            t[s] += seed[j] * (double) y[j];
          }
        }
        worst = Math.max(worst, Math.abs((t[0] - t[1]) / (2 * h) - gradient.data()[i]));
      }
    }
    System.out.printf("tta: gradient vs finite differences %.2e (gradient scale %.2e)%n", worst, maxAbs(gradient));
    assertTrue(maxAbs(gradient) > 0);
    assertTrue(worst <= 2e-2 * maxAbs(gradient) + 2e-4, "max|analytic - numeric| " + worst);
  }

  @Test
  void twoCopiesOfAFoldGiveTheSingleModelsMapsAndTwoFoldsTheAverageOfTheirPredictions() throws Exception {
    Path input = tmp.resolve("x.npy");
    Npy.write(input(5), input);
    Settings single = Settings.of(MODEL, LayerSpec.names("down3")).withTargets(List.of(Target.parse("1")))
        .withThreads(1);
    CaseResult one;
    try (ExplanationPipeline p = new ExplanationPipeline(single)) {
      one = p.run(CaseInput.of(input));
    }
    CaseResult two;
    try (ExplanationPipeline p = new ExplanationPipeline(single.withEnsemble(new Ensemble(List.of(MODEL),
        new int[0])))) {
      two = p.run(CaseInput.of(input));
    }
    // the joint layer holds both copies' channels
    long[] layerOne = one.explanation().layers().get(0).shape();
    long[] layerTwo = two.explanation().layers().get(0).shape();
    assertEquals(2 * layerOne[1], layerTwo[1], "channels of the joint layer " + java.util.Arrays.toString(layerTwo));
    double camError = Tensors.maxAbsDiff(two.explanation().cam(), one.explanation().cam());
    double targetError = Math.abs(two.targets().get(0).value() - one.targets().get(0).value());
    System.out.printf("two copies: cam %.2e, target %.2e (of %.3f)%n", camError, targetError,
        one.targets().get(0).value());
    assertTrue(camError <= 1e-5, "cam max|diff| " + camError);
    assertTrue(targetError <= 1e-5 * Math.abs(one.targets().get(0).value()) + 1e-6);

    // a second, different fold: its weights changed; the ensemble's prediction is the mean of both
    ModelProto first = ModelIO.read(MODEL);
    Graph g = Graph.fromModel(first);
    Random rng = new Random(2);
    for (Map.Entry<String, TensorProto> e : new ArrayList<>(g.initializers().entrySet())) {
      if (e.getValue().getDataType() == 1 && TensorProtos.count(e.getValue()) > 8) {
        float[] w = TensorProtos.toFloats(e.getValue());
        for (int i = 0; i < w.length; i++) {
          w[i] *= (float) (1 + 0.5 * rng.nextGaussian());
        }
        g.initializers().put(e.getKey(), TensorProtos.ofFloats(e.getKey(), w, TensorProtos.dims(e.getValue())));
      }
    }
    ModelProto second = g.toModel();
    ModelProto both = ModelEnsemble.build(List.of(first, second), new int[0], List.of(LayerSpec.named("down3")));
    FloatTensor x = input(5);
    float[] a = run(first, x).data();
    float[] b = run(second, x).data();
    float[] mean = run(both, x).data();
    double err = 0;
    double apart = 0;
    double scale = 0;
    for (int i = 0; i < mean.length; i++) {
      err = Math.max(err, Math.abs(mean[i] - (a[i] + b[i]) / 2.0));
      apart = Math.max(apart, Math.abs(a[i] - b[i]));
      scale = Math.max(scale, Math.abs(a[i]));
    }
    System.out.printf("two folds: max|ensemble - mean| %.2e (the folds differ by up to %.2e, outputs up to %.2e)%n",
        err, apart, scale);
    assertTrue(apart > 0.1 * scale, "the folds must differ");
    assertTrue(err <= 1e-5 * apart, "max|diff| " + err);
  }
}
