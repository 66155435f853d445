package gradcam3d.cli;

import gradcam3d.Gradcam3dException;
import gradcam3d.autodiff.GradientSpec;
import gradcam3d.cam.CamMethods;
import gradcam3d.volume.Layout;
import gradcam3d.volume.Normalization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** What to explain and how: the options `explain` and `batch` share. */
final class ExplanationOptions {
  @Option(names = "--model", required = true, paramLabel = "MODEL.onnx", description = "The ONNX model.")
  Path model;

  @Option(names = "--layer", required = true, paramLabel = "NAME",
      description = "Module path as model.named_modules() prints it (down3, model.1.submodule), an element of a "
          + "tuple/list output (encoder@2), or an ONNX tensor name. Repeat for several layers: one map per "
          + "layer plus their aggregate.")
  List<String> layers;

  @Option(names = "--method", defaultValue = "gradcam", paramLabel = "METHOD",
      description = "One of: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
      completionCandidates = MethodNames.class)
  String method;

  @Option(names = "--target", paramLabel = "TARGET",
      description = "What to explain (see below). Repeat to give each sample of a batch its own target. "
          + "Default: argmax for classifiers; required for segmentation models.")
  List<String> targets = new ArrayList<>();

  @Option(names = "--score", defaultValue = "logits", paramLabel = "logits|probabilities",
      description = "Sum raw outputs, or softmax (sigmoid for one channel) probabilities (default: ${DEFAULT-VALUE}).")
  String score;

  @Option(names = "--model-output", defaultValue = "0", paramLabel = "K",
      description = "Which output of a multi-output model (e.g. deep supervision) the target reads (default: 0).")
  int modelOutput;

  @Option(names = "--layout", defaultValue = "zyx", paramLabel = "zyx|xyz",
      description = "How NIfTI axes map to the model tensor: zyx = the NIfTI array reversed ([B,C,Z,Y,X], "
          + "SimpleITK/nnU-Net), xyz = NIfTI order (nibabel/MONAI) (default: ${DEFAULT-VALUE}).")
  String layout;

  @Option(names = "--normalize", defaultValue = "none", paramLabel = "MODE",
      description = "Intensity preprocessing the model expects: none, zscore, minmax or window:LO,HI "
          + "(default: ${DEFAULT-VALUE}).")
  String normalize;

  @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime threads (default: all cores).")
  Integer threads;

  // 2: the same CPU time as 4 to 16 on the bench model, at half the peak memory (docs/benchmarks.md)
  @Option(names = "--batch-size", defaultValue = "2", paramLabel = "N",
      description = "Perturbed passes per batch for scorecam/ablationcam (default: ${DEFAULT-VALUE}).")
  int batchSize;

  /** Method names for the help text. */
  static final class MethodNames extends ArrayList<String> {
    MethodNames() {
      super(CamMethods.names());
    }
  }

  /** A job with these settings. */
  ExplainJob job() {
    ExplainJob job = new ExplainJob();
    job.model = model;
    job.layers = layers;
    job.method = CamMethods.byName(method).name();
    job.targets = targets;
    job.score = parseScore(score);
    job.modelOutput = modelOutput;
    job.layout = Layout.parse(layout);
    job.normalization = Normalization.parse(normalize);
    if (threads != null) {
      job.threads = threads;
    }
    job.batchSize = batchSize;
    return job;
  }

  static GradientSpec.Score parseScore(String s) {
    switch (s.toLowerCase(Locale.ROOT)) {
      case "logits": return GradientSpec.Score.LOGITS;
      case "probabilities": case "probs": return GradientSpec.Score.PROBABILITIES;
      default: throw new Gradcam3dException("--score must be logits or probabilities, not '" + s + "'");
    }
  }
}
