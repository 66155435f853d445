package gradcam3d.cli;

import gradcam3d.Defaults;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.methods.CamMethods;
import gradcam3d.cam.MethodOptions;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.OptionValueException;
import gradcam3d.pipeline.Ensemble;
import gradcam3d.pipeline.NnunetPlans;
import gradcam3d.pipeline.Preprocessing;
import gradcam3d.pipeline.Settings;
import gradcam3d.runtime.Score;
import gradcam3d.volume.GridChain;
import gradcam3d.volume.Layout;
import gradcam3d.volume.Orientation;
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
  @Option(names = "--model", required = true, paramLabel = "MODEL.onnx", converter = Converters.FilePath.class,
      description = "The ONNX model. Repeat for the folds of one network (an nnU-Net's fold_0..fold_4): their "
          + "predictions are averaged as nnU-Net's ensemble does, and each --layer joins that layer of every fold "
          + "(its channels side by side), so the map is the ensemble's.")
  List<Path> models;

  @Option(names = "--tta", arity = "0..1", fallbackValue = "all", paramLabel = "AXES",
      description = "Test-time mirroring as nnU-Net's predictor does it: the explained prediction is the average of "
          + "the model's predictions on the input flipped over every combination of these spatial axes (0 = the "
          + "model input's first spatial axis), each flipped back, differentiated exactly; each --layer joins every "
          + "mirror's activation flipped back. --tta alone mirrors every spatial axis (nnU-Net's default trainers; "
          + "the checkpoint's inference_allowed_mirroring_axes says which), e.g. --tta 1,2. Default: no mirroring.")
  String tta;

  @Option(names = "--nnunet-plans", paramLabel = "plans.json", converter = Converters.FilePath.class,
      description = "Preprocess as the nnU-Net v2 model with these plans was trained and map back as nnUNetv2_predict "
          + "does: transpose_forward, crop to the nonzero region, each channel's normalisation scheme with the "
          + "dataset's foreground intensity properties, resampling to the configuration's spacing (cubic, a coarse "
          + "axis nearest; predictions back linear), the patch size as --window with nnU-Net's Gaussian, placement "
          + "and overlap 0.5. The scan is read in SimpleITK's axis order (zyx). Not together with --preprocess, "
          + "--orient, --resample or --normalize.")
  Path nnunetPlans;

  @Option(names = "--configuration", paramLabel = "NAME",
      description = "With --nnunet-plans: the configuration the model was trained in (default: 3d_fullres).")
  String configuration;

  @Option(names = "--dataset-json", paramLabel = "dataset.json", converter = Converters.FilePath.class,
      description = "With --nnunet-plans: the model's dataset.json (channel names, label names usable as --target "
          + "classes, e.g. --target tumor). Default: dataset.json beside the plans, when there is one.")
  Path datasetJson;

  @Option(names = "--layer", paramLabel = "NAME", converter = Converters.LayerSpecText.class,
      description = "Module path as model.named_modules() prints it (down3, model.1.submodule), an element of a "
          + "tuple/list output (encoder@2), or an ONNX tensor name. Repeat for several layers: one map per "
          + "layer plus their aggregate (refine-cam: their product). Required, except for the input-space methods "
          + "(saliency, input-x-gradient, smoothgrad, integrated-gradients, guided-backprop), occlusion and fullgrad, "
          + "which take none; dff takes exactly one; lrp takes none or some (without: the input relevance; with: "
          + "the relevance arriving at each layer).")
  List<LayerSpec> layers = new ArrayList<>();

  @Option(names = "--method", defaultValue = Defaults.METHOD, paramLabel = "METHOD",
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

  @Option(names = "--target", paramLabel = "TARGET", converter = Converters.TargetText.class,
      description = "What to explain (see below). Repeat to give each sample of a batch its own target. "
          + "Default: argmax for classifiers; required for segmentation models.")
  List<TargetOption> targets = new ArrayList<>();

  @Option(names = "--score", defaultValue = Defaults.SCORE, paramLabel = "logits|probabilities",
      description = "Sum raw outputs, or softmax (sigmoid for one channel) probabilities (default: ${DEFAULT-VALUE}).",
      converter = Converters.Score.class)
  Score score;

  @Option(names = "--model-output", defaultValue = "" + Defaults.MODEL_OUTPUT, paramLabel = "K",
      description = "Which output of a multi-output model (e.g. deep supervision) the target reads "
          + "(default: ${DEFAULT-VALUE}).",
      converter = Converters.NonNegative.class)
  int modelOutput;

  @Option(names = "--layout", paramLabel = "zyx|xyz",
      description = "How the scan's voxel axes map to the model tensor: zyx = the NIfTI array reversed "
          + "([B,C,Z,Y,X], SimpleITK/nnU-Net), xyz = NIfTI order ([B,C,I,J,K], nibabel/MONAI) (default: zyx). "
          + "MONAI pipelines usually need --layout xyz --orient RAS, nnU-Net and SimpleITK code the default; "
          + "README: 'From your framework to gradcam3d'.",
      converter = Converters.LayoutValue.class)
  Layout layout;

  @Option(names = "--orient", paramLabel = "CODES", converter = Converters.OrientationValue.class,
      description = "Reorient the scan before the model, as MONAI's Orientationd(axcodes=CODES) does (axes permuted "
          + "and flipped, no resampling), e.g. RAS for MONAI-trained models; masks, labels, boxes and voxels are "
          + "given on the scan as stored and follow it, and every output is written back on the scan's own grid. "
          + "Needs an input with geometry (NIfTI, NRRD, MetaImage, DICOM). Default: the scan as stored.")
  Orientation orient;

  @Option(names = "--resample", paramLabel = "SI,SJ,SK", converter = Converters.Pixdim.class,
      description = "Resample the (reoriented) scan to these voxel sizes in mm along its voxel axes i, j, k, as MONAI's "
          + "Spacingd(pixdim, mode=\"bilinear\", padding_mode=\"border\") does (an oblique scan keeps its rotation); "
          + "every map goes back onto the scan's own grid (N-linear), masks and labels follow (nearest). "
          + "Default: the scan's own spacing.")
  Converters.VoxelSizes resample;

  @Option(names = "--normalize", paramLabel = "MODE", converter = Converters.NormalizationValue.class,
      description = "Intensity preprocessing the model expects, MONAI's semantics: none, zscore (NormalizeIntensity), "
          + "zscore:nonzero (nonzero=True), minmax, window:A_MIN,A_MAX[,B_MIN,B_MAX] (ScaleIntensityRange, clip=True; "
          + "B default 0,1), percentile:LO,HI[,B_MIN,B_MAX] (ScaleIntensityRangePercentiles, clip=True). Once for "
          + "every channel, or repeated once per input channel in order (default: none).")
  List<Normalization> normalize = new ArrayList<>();

  @Option(names = "--preprocess", paramLabel = "FILE.json", converter = Converters.FilePath.class,
      description = "The whole preprocessing chain the model was trained with, written once per model: a JSON object "
          + "with any of \"layout\" (\"zyx\"|\"xyz\"), \"orient\" (\"RAS\"), \"resample\" ([1.5, 1.5, 2.0]) and "
          + "\"normalize\" (a mode or a list of one mode per channel). Not together with --layout, --orient, "
          + "--resample or --normalize.")
  Path preprocess;

  @Option(names = "--threads", paramLabel = "N", converter = Converters.Threads.class,
      description = "ONNX Runtime threads, 1 to the number of cores or 64, whichever is larger (default: all cores).")
  Integer threads;

  @Option(names = "--token-grid", paramLabel = "Z,Y,X", converter = Converters.TokenGrid.class,
      description = "Patch grid of transformer token layers [B, N, C] (N = Z*Y*X, or one more with a class "
          + "token), when the patch-embedding convolution does not tell it; one size per spatial axis.")
  String tokenGrid;

  @Option(names = "--batch-size", defaultValue = "" + Defaults.BATCH_SIZE, paramLabel = "N", converter = Converters.Positive.class,
      description = "Perturbed passes per batch for scorecam/ablationcam (at most the layer's channels) and "
          + "occlusion (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--samples", defaultValue = "" + Defaults.SMOOTHGRAD_SAMPLES, paramLabel = "N", converter = Converters.Positive.class,
      description = "smoothgrad: noisy copies of the input (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--noise", defaultValue = "" + Defaults.SMOOTHGRAD_NOISE, paramLabel = "F", converter = Converters.NoiseLevel.class,
      description = "smoothgrad: noise sigma as a fraction of the input's (max - min) (default: ${DEFAULT-VALUE}).")
  double noise;

  @Option(names = "--seed", defaultValue = "" + Defaults.SEED, paramLabel = "N",
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

  @Option(names = "--ig-steps", defaultValue = "" + Defaults.IG_STEPS, paramLabel = "N", converter = Converters.Steps.class,
      description = "integrated-gradients: points of the trapezoid rule, at least 2 (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--ig-baseline", defaultValue = Defaults.IG_BASELINE, paramLabel = "zero|blur", converter = Converters.BaselineValue.class,
      description = "integrated-gradients: start of the path, zeros or the input blurred by a Gaussian of "
          + "4 voxels, as the metrics' blur baseline (default: ${DEFAULT-VALUE}).")
  String baseline;

  @Option(names = "--occlusion-size", defaultValue = "" + Defaults.OCCLUSION_SIZE, paramLabel = "N|Z,Y,X",
      converter = Converters.OcclusionSize.class,
      description = "occlusion: the occluded window, N voxels along every axis or one size per axis; at most the "
          + "input's (with --window: the whole scan's) size (default: ${DEFAULT-VALUE}, MONAI's).")
  String occlusionSize;

  @Option(names = "--occlusion-overlap", paramLabel = "F", converter = Converters.OcclusionOverlap.class,
      description = "occlusion: overlap of neighbouring windows in [0, 1), placed as MONAI 1.3.2 does (step "
          + "int(N (1 - F)), the last window moved back to the border) (default: " + Defaults.OCCLUSION_OVERLAP
          + ", MONAI's).")
  Double occlusionOverlap;

  @Option(names = "--occlusion-mode", defaultValue = Defaults.OCCLUSION_MODE, paramLabel = "gaussian|mean_patch|mean_img|VALUE",
      converter = Converters.OcclusionModeValue.class,
      description = "occlusion: what the window becomes: gaussian = multiplied by 1 - a Gaussian (sigma N/4) centred "
          + "on it, scores blended with Gaussian weights; mean_patch = replaced by its own mean (MONAI's "
          + "documented behaviour; MONAI 1.3.2 multiplies by the mean instead); mean_img = replaced by the "
          + "sample's mean; a number = replaced by it (default: ${DEFAULT-VALUE}).")
  String occlusionMode;

  @Option(names = "--occlusion-budget", paramLabel = "N", converter = Converters.Positive.class,
      description = "occlusion: choose the largest overlap whose forward passes (printed before they start) are at "
          + "most N, instead of --occlusion-overlap.")
  Integer occlusionBudget;

  @picocli.CommandLine.Mixin
  LrpOptions lrp;

  /** The method with its options. */
  CamMethod method() {
    return configured(method);
  }

  /** A method with the options given for it (compare configures each of its methods); each method reads its own. */
  CamMethod configured(CamMethod m) {
    return m.withOptions(new MethodOptions(femK, kpcaKernel, kpcaGamma, finerAlpha, finerCompare, refineBase, seed,
        concepts, samples, noise, steps, baseline, occlusionSize, occlusionOverlap, occlusionMode,
        occlusionBudget == null ? null : occlusionBudget.longValue(), lrp::rules));
  }

  /** The method with the options that change its result, as text (what batch --resume compares). */
  String methodDescription() {
    CamMethod m = method();
    String parameters = m.resumeParameters();
    if (!parameters.isEmpty()) {
      return m.name() + " " + parameters;
    }
    return m.name() + (tokenGrid == null ? "" : " token-grid=" + tokenGrid);
  }

  /** Method names for the help text. */
  static final class MethodNames extends ArrayList<String> {
    MethodNames() {
      super(CamMethods.names());
    }
  }

  /** The pipeline settings these options give. */
  public Settings settings(boolean keepTensors, Progress progress) {
    // --token-grid is the grid of every layer not given its own (--layer NAME:grid=Z,Y,X)
    long[] grid = tokenGrid == null ? null : Converters.sizes(tokenGrid);
    List<LayerSpec> gridded = layers.stream()
        .map(l -> grid == null || l.tokenGrid() != null ? l : l.withTokenGrid(grid)).toList();
    Preprocessing chain = preprocessing();
    NnunetPlans plans = nnunet();
    Settings.Builder s = Settings.builder(models.get(0), gridded).method(method()).targets(targets(plans)).score(score)
        .modelOutput(modelOutput).layout(chain.layout()).normalization(chain.normalization())
        .batchSize(batchSize).grid(chain.grid()).keepTensors(keepTensors).progress(progress).ensemble(ensemble());
    return (threads == null ? s : s.threads(threads)).build();
  }

  /** Every model file the run reads (the folds). */
  public List<Path> modelFiles() {
    return List.copyOf(models);
  }

  /** More folds and the mirroring (--model repeated, --tta). */
  Ensemble ensemble() {
    List<Path> more = models.subList(1, models.size());
    if (tta == null) {
      return new Ensemble(more, new int[0]);
    }
    if (tta.equals("all")) {
      return Ensemble.everyAxis(more);
    }
    String[] parts = tta.split(",");
    int[] axes = new int[parts.length];
    try {
      for (int i = 0; i < parts.length; i++) {
        axes[i] = Integer.parseInt(parts[i].trim());
        for (int j = 0; j < i; j++) {
          if (axes[j] == axes[i] || axes[i] < 0) {
            throw new NumberFormatException();
          }
        }
      }
    } catch (NumberFormatException e) {
      throw new OptionValueException("--tta takes distinct spatial axes such as 0,1,2 (0 = the model input's first "
          + "spatial axis), or nothing for every axis, not '" + tta + "'");
    }
    return new Ensemble(more, axes);
  }

  /** The nnU-Net plans (--nnunet-plans), or null. */
  NnunetPlans nnunet() {
    if (nnunetPlans == null) {
      if (configuration != null || datasetJson != null) {
        throw new OptionValueException("--configuration and --dataset-json go with --nnunet-plans plans.json");
      }
      return null;
    }
    if (cachedPlans == null) {
      cachedPlans = NnunetPlans.read(nnunetPlans, configuration == null ? "3d_fullres" : configuration, datasetJson);
    }
    return cachedPlans;
  }

  private NnunetPlans cachedPlans;

  /** The patch size as the default sliding window with --nnunet-plans, else null. */
  long[] nnunetWindow() {
    NnunetPlans p = nnunet();
    return p == null ? null : p.patchSize();
  }

  /** The targets, a dataset.json label name in place of its class index (tumor:all for 1:all). */
  private List<Target> targets(NnunetPlans plans) {
    return targets.stream().map(t -> t.resolve(plans)).toList();
  }

  /** Which of --orient, --resample and --normalize are given (--preprocess and --nnunet-plans exclude them). */
  private List<String> stepOptionsGiven() {
    List<String> given = new ArrayList<>();
    if (orient != null) {
      given.add("--orient");
    }
    if (resample != null) {
      given.add("--resample");
    }
    if (!normalize.isEmpty()) {
      given.add("--normalize");
    }
    return given;
  }

  /** The preprocessing: from --preprocess, --nnunet-plans, or the single options (which both exclude). */
  Preprocessing preprocessing() {
    if (nnunetPlans != null) {
      List<String> given = stepOptionsGiven();
      if (preprocess != null) {
        given.add(0, "--preprocess");
      }
      if (layout != null && layout != Layout.ZYX) {
        given.add("--layout " + layout.name().toLowerCase(java.util.Locale.ROOT));
      }
      if (!given.isEmpty()) {
        throw new OptionValueException("--nnunet-plans " + nnunetPlans + " gives the whole preprocessing (nnU-Net reads "
            + "scans in zyx order); leave out " + String.join(", ", given));
      }
      return nnunet().preprocessing();
    }
    nnunet();
    if (preprocess != null) {
      List<String> given = stepOptionsGiven();
      if (layout != null) {
        given.add(0, "--layout");
      }
      if (!given.isEmpty()) {
        throw new OptionValueException("--preprocess " + preprocess + " holds the whole chain; leave out "
            + String.join(", ", given) + " (or put them into the file)");
      }
      return Preprocessing.read(preprocess);
    }
    GridChain grid = GridChain.none();
    if (orient != null) {
      grid = grid.then(new GridChain.Orient(orient));
    }
    if (resample != null) {
      grid = grid.then(new GridChain.Resample(resample.mm()));
    }
    return new Preprocessing(layout == null ? Layout.ZYX : layout, grid, Normalization.perChannel(normalize));
  }

  /** The mask files the targets name ({@code K:mask=FILE}), as inputs the run must not overwrite. */
  List<Path> maskFiles() {
    List<Path> files = new ArrayList<>();
    for (TargetOption option : targets) {
      String t = option.text();
      int at = t.indexOf(":mask=");
      if (at >= 0 && at + 6 < t.length()) {
        try {
          files.add(Path.of(t.substring(at + 6).trim()));
        } catch (java.nio.file.InvalidPathException e) {
          // the target's own parser reports it
        }
      }
    }
    return files;
  }
}
