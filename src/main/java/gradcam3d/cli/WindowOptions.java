package gradcam3d.cli;

import gradcam3d.window.Blend;
import gradcam3d.window.SlidingWindowExplainer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Sliding-window explanation of volumes larger than the model's window: shared by explain and batch. */
final class WindowOptions {
  /** A window size, or null for --window auto. */
  record WindowSize(long[] size) {}

  @Option(names = "--window", paramLabel = "Z,Y,X|auto", converter = Converters.Window.class,
      description = "Explain the whole volume through sliding windows of this size (nnU-Net placement, blended "
          + "prediction, one exact whole-volume target; each window's map is summed in place and normalised "
          + "once). 'auto' takes the size of a model with a fixed input. Works with the layer methods: gradient "
          + "methods (shapley-cam too; refine-cam: its layers' whole-volume maps multiplied once) and "
          + "EigenCAM/EigenGradCAM per window, summed; Score-CAM and Ablation-CAM per window with the window's share "
          + "of the target (exact: a window's layer only reaches its own logits); lrp per window with the window's "
          + "share of the seed, its input relevance summed over the windows (exact for the blended prediction; the "
          + "box rule needs --lrp-low/--lrp-high); occlusion occludes the whole volume and scores each "
          + "occluded copy through the windows, re-running only those its box overlaps. Also writes "
          + "segmentation.nii.gz/.npy, the argmax of the blended prediction. Not with --save-layer-cam, "
          + "--save-tensors (they are per window), --export-graph, --metrics, the gradient input-space methods "
          + "(saliency, smoothgrad, ...), or fem, kpca-cam, seg-eigen-cam, finer-cam, fullgrad, random-cam and dff "
          + "(their definitions need the whole layer or the whole-volume logits).")
  WindowSize window;

  @Option(names = "--overlap", paramLabel = "F", converter = Converters.Overlap.class,
      description = "Overlap of neighbouring windows, in [0, 1) (default: 0.5).")
  Double overlap;

  @Option(names = "--blend", paramLabel = "gaussian|constant", converter = Converters.BlendValue.class,
      description = "Weights of overlapping windows' predictions (default: gaussian).")
  Blend blend;

  @Option(names = "--window-batch", paramLabel = "N", converter = Converters.Positive.class,
      description = "Windows per ONNX Runtime run (default: 1).")
  Integer windowBatch;

  @Option(names = "--pad-value", paramLabel = "V", converter = Converters.PadValue.class,
      description = "Value of the padding of axes shorter than the window, in the units the model sees (after "
          + "--normalize: e.g. 0 is the mean of a zscore-normalised scan, the window's low end for window:LO,HI); "
          + "cropped back afterwards (default: 0). Windows that are more than half padding get a warning.")
  Float padValue;

  @Option(names = "--save-prediction",
      description = "With --window: also write prediction.npy, the blended logits (or probabilities with "
          + "--score probabilities) [1, K, *S].")
  boolean savePrediction;

  /**
   * The window settings, or null without --window; options that need --window, or outputs that
   * are per window, are bad option combinations (exit 2).
   */
  SlidingWindowExplainer.Settings settings(CommandSpec spec, boolean perWindowOutputs, boolean metrics) {
    if (window == null) {
      if (overlap != null || blend != null || windowBatch != null || padValue != null || savePrediction) {
        throw new ParameterException(spec.commandLine(), "--overlap, --blend, --window-batch, --pad-value and "
            + "--save-prediction need --window Z,Y,X or --window auto");
      }
      return null;
    }
    if (perWindowOutputs) {
      throw new ParameterException(spec.commandLine(), "--save-layer-cam and --save-tensors are per window; they "
          + "are not available with --window");
    }
    if (metrics) {
      throw new ParameterException(spec.commandLine(), gradcam3d.pipeline.ExplanationPipeline.METRICS_WITH_WINDOWS);
    }
    return new SlidingWindowExplainer.Settings(window.size(), overlap == null ? 0.5 : overlap,
        blend == null ? Blend.GAUSSIAN : blend, windowBatch == null ? 1 : windowBatch,
        padValue == null ? 0f : padValue, savePrediction);
  }
}
