package gradcam3d.cli;

import gradcam3d.autodiff.GradientSpec;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.CamMethods;
import gradcam3d.cam.MethodOptions;
import gradcam3d.cam.Progress;
import gradcam3d.cam.methods.IntegratedGradients;
import gradcam3d.cam.methods.SmoothGrad;
import gradcam3d.pipeline.Settings;
import gradcam3d.volume.Layout;
import gradcam3d.volume.Normalization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * What to explain and how: the options `explain` and `batch` share, parsed into {@link Settings}.
 * Public for jobs that take the same options (the Spark cohort job).
 */
public final class ExplanationOptions {
  @Option(names = "--model", required = true, paramLabel = "MODEL.onnx", description = "The ONNX model.",
      converter = Converters.FilePath.class)
  Path model;

  @Option(names = "--layer", paramLabel = "NAME",
      description = "Module path as model.named_modules() prints it (down3, model.1.submodule), an element of a "
          + "tuple/list output (encoder@2), or an ONNX tensor name. Repeat for several layers: one map per "
          + "layer plus their aggregate (refine-cam: their product). Required, except for the input-space methods "
          + "(saliency, input-x-gradient, smoothgrad, integrated-gradients, guided-backprop) and fullgrad, which take "
          + "none; dff takes exactly one.")
  List<String> layers = new ArrayList<>();

  @Option(names = "--method", defaultValue = "gradcam", paramLabel = "METHOD",
      description = "One of: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). Costs in forward/backward "
          + "passes: README, 'Methods at a glance'. finer-cam: Grad-CAM of the target class contrasted with its "
          + "nearest classes; for segmentation per voxel inside the target region, the comparison classes ranked by "
          + "the region-mean logits. fullgrad: the input-gradient term plus one term per bias-carrying Conv/"
          + "ConvTranspose and BatchNormalization node. dff: NMF of the layer's activations into concepts "
          + "(concepts.npy, concepts.nii.gz, the report, each concept's share of every class's score in "
          + "summary.json). --window runs the layer methods per window, except fem, kpca-cam, seg-eigen-cam, "
          + "finer-cam, fullgrad, random-cam and dff, which need the whole layer or the whole-volume logits.",
      completionCandidates = MethodNames.class, converter = Converters.Method.class)
  CamMethod method;

  @Option(names = "--target", paramLabel = "TARGET",
      description = "What to explain (see below). Repeat to give each sample of a batch its own target. "
          + "Default: argmax for classifiers; required for segmentation models.")
  List<String> targets = new ArrayList<>();

  @Option(names = "--score", defaultValue = "logits", paramLabel = "logits|probabilities",
      description = "Sum raw outputs, or softmax (sigmoid for one channel) probabilities (default: ${DEFAULT-VALUE}).",
      converter = Converters.Score.class)
  GradientSpec.Score score;

  @Option(names = "--model-output", defaultValue = "0", paramLabel = "K",
      description = "Which output of a multi-output model (e.g. deep supervision) the target reads (default: 0).",
      converter = Converters.NonNegative.class)
  int modelOutput;

  @Option(names = "--layout", defaultValue = "zyx", paramLabel = "zyx|xyz",
      description = "How NIfTI axes map to the model tensor: zyx = the NIfTI array reversed ([B,C,Z,Y,X], "
          + "SimpleITK/nnU-Net), xyz = NIfTI order (nibabel/MONAI) (default: ${DEFAULT-VALUE}).",
      converter = Converters.LayoutValue.class)
  Layout layout;

  @Option(names = "--normalize", defaultValue = "none", paramLabel = "MODE",
      description = "Intensity preprocessing the model expects: none, zscore, minmax or window:LO,HI "
          + "(default: ${DEFAULT-VALUE}).", converter = Converters.NormalizationValue.class)
  Normalization normalize;

  @Option(names = "--threads", paramLabel = "N", converter = Converters.Threads.class,
      description = "ONNX Runtime threads, 1 to the number of cores or 64, whichever is larger (default: all cores).")
  Integer threads;

  @Option(names = "--token-grid", paramLabel = "Z,Y,X", converter = Converters.TokenGrid.class,
      description = "Patch grid of transformer token layers [B, N, C] (N = Z*Y*X, or one more with a class "
          + "token), when the patch-embedding convolution does not tell it; one size per spatial axis.")
  String tokenGrid;

  // 2: the same CPU time as 4 to 16 on the bench model, at half the peak memory (docs/benchmarks.md)
  @Option(names = "--batch-size", defaultValue = "2", paramLabel = "N", converter = Converters.Positive.class,
      description = "Perturbed passes per batch for scorecam/ablationcam, at most the layer's channels "
          + "(default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--samples", defaultValue = "25", paramLabel = "N", converter = Converters.Positive.class,
      description = "smoothgrad: noisy copies of the input (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--noise", defaultValue = "0.15", paramLabel = "F", converter = Converters.NoiseLevel.class,
      description = "smoothgrad: noise sigma as a fraction of the input's (max - min) (default: ${DEFAULT-VALUE}).")
  double noise;

  @Option(names = "--seed", defaultValue = "" + MethodOptions.SEED, paramLabel = "N",
      description = "smoothgrad: random seed of the noise; random-cam: seed of its channel weights "
          + "(default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--fem-k", defaultValue = "" + MethodOptions.FEM_K, paramLabel = "K",
      converter = Converters.NoiseLevel.class,
      description = "fem: a channel's voxels above mean + K std count towards its weight (default: ${DEFAULT-VALUE}).")
  double femK;

  @Option(names = "--kpca-kernel", defaultValue = MethodOptions.KPCA_KERNEL,
      paramLabel = "sigmoid|rbf|poly|linear|cosine", converter = Converters.KpcaKernel.class,
      description = "kpca-cam: the kernel, as sklearn defines it (coef0 1, degree 3) (default: ${DEFAULT-VALUE}).")
  String kpcaKernel;

  @Option(names = "--kpca-gamma", paramLabel = "G", converter = Converters.PositiveNumber.class,
      description = "kpca-cam: the kernel's gamma (sigmoid, rbf, poly) (default: 1 / the layer's channels).")
  Double kpcaGamma;

  @Option(names = "--finer-alpha", defaultValue = "" + MethodOptions.FINER_ALPHA, paramLabel = "A",
      converter = Converters.FiniteNumber.class,
      description = "finer-cam: weight of the comparison classes' logits in the contrast (default: ${DEFAULT-VALUE}).")
  double finerAlpha;

  @Option(names = "--finer-compare", defaultValue = "" + MethodOptions.FINER_COMPARE, paramLabel = "K",
      converter = Converters.Positive.class,
      description = "finer-cam: how many classes nearest the target class it is contrasted with, at most all "
          + "the others (default: ${DEFAULT-VALUE}).")
  int finerCompare;

  @Option(names = "--refine-base", defaultValue = MethodOptions.REFINE_BASE, paramLabel = "METHOD",
      converter = Converters.Method.class,
      description = "refine-cam: the method computed at each --layer before the maps are multiplied; one computed "
          + "in the graph (default: ${DEFAULT-VALUE}).")
  CamMethod refineBase;

  @Option(names = "--concepts", defaultValue = "" + MethodOptions.CONCEPTS, paramLabel = "K",
      converter = Converters.Positive.class,
      description = "dff: how many concepts the layer's activations are factorised into (default: ${DEFAULT-VALUE}).")
  int concepts;

  @Option(names = "--ig-steps", defaultValue = "32", paramLabel = "N", converter = Converters.Steps.class,
      description = "integrated-gradients: points of the trapezoid rule, at least 2 (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--ig-baseline", defaultValue = "zero", paramLabel = "zero|blur", converter = Converters.BaselineValue.class,
      description = "integrated-gradients: start of the path, zeros or the input blurred by a Gaussian of "
          + "4 voxels, as the metrics' blur baseline (default: ${DEFAULT-VALUE}).")
  IntegratedGradients.Baseline baseline;

  /** The method with its options. */
  CamMethod method() {
    return configured(method);
  }

  /** A method with the options given for it (compare configures each of its methods). */
  CamMethod configured(CamMethod m) {
    if (m instanceof SmoothGrad) {
      return new SmoothGrad(samples, noise, SmoothGrad.Noise.seeded(seed));
    }
    if (m instanceof IntegratedGradients) {
      return new IntegratedGradients(steps, baseline);
    }
    return m.withOptions(new MethodOptions(femK, kpcaKernel, kpcaGamma, finerAlpha, finerCompare, refineBase, seed,
        concepts));
  }

  /** Method names for the help text. */
  static final class MethodNames extends ArrayList<String> {
    MethodNames() {
      super(CamMethods.names());
    }
  }

  /** The pipeline settings these options give. */
  public Settings settings(boolean keepTensors, Progress progress) {
    // the grid travels with each layer name (LayerResolver and TokenView read NAME:grid=Z,Y,X)
    List<String> named = tokenGrid == null ? layers : layers.stream().map(l -> l + ":grid=" + tokenGrid).toList();
    Settings s = Settings.of(model, named).withMethod(method()).withTargets(targets).withScore(score)
        .withModelOutput(modelOutput).withLayout(layout).withNormalization(normalize).withBatchSize(batchSize)
        .withTensors(keepTensors).withProgress(progress);
    return threads == null ? s : s.withThreads(threads);
  }
}
