package gradcam3d.cli;

import gradcam3d.Gradcam3dException;
import gradcam3d.window.Blend;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Sliding-window explanation of volumes larger than the model's window: shared by explain and batch. */
final class WindowOptions {
  @Option(names = "--window", paramLabel = "Z,Y,X|auto",
      description = "Explain the whole volume through sliding windows of this size (nnU-Net placement, blended "
          + "prediction, one exact whole-volume target; each window's map is summed in place and normalised "
          + "once). 'auto' takes the size of a model with a fixed input. Works with every method: gradient "
          + "methods and EigenCAM/EigenGradCAM per window, summed; Score-CAM and Ablation-CAM per window with "
          + "the window's share of the target (exact: a window's layer only reaches its own logits). Also "
          + "writes segmentation.nii.gz/.npy, the argmax of the blended prediction.")
  String window;

  @Option(names = "--overlap", paramLabel = "F",
      description = "Overlap of neighbouring windows, in [0, 1) (default: 0.5).")
  Double overlap;

  @Option(names = "--blend", paramLabel = "gaussian|constant",
      description = "Weights of overlapping windows' predictions (default: gaussian).")
  String blend;

  @Option(names = "--window-batch", paramLabel = "N",
      description = "Windows per ONNX Runtime run (default: 1).")
  Integer windowBatch;

  @Option(names = "--pad-value", paramLabel = "V",
      description = "Value of the padding of axes shorter than the window; cropped back (default: 0).")
  Float padValue;

  @Option(names = "--save-prediction",
      description = "With --window: also write prediction.npy, the blended logits (or probabilities with "
          + "--score probabilities) [1, K, *S].")
  boolean savePrediction;

  void configure(ExplainJob job) {
    if (window == null) {
      if (overlap != null || blend != null || windowBatch != null || padValue != null || savePrediction) {
        throw new Gradcam3dException("--overlap, --blend, --window-batch, --pad-value and --save-prediction "
            + "need --window Z,Y,X or --window auto");
      }
      return;
    }
    job.windowAuto = window.trim().toLowerCase(Locale.ROOT).equals("auto");
    if (!job.windowAuto) {
      try {
        job.window = gradcam3d.tensor.Shapes.parse(window);
      } catch (NumberFormatException e) {
        throw new Gradcam3dException("--window must be Z,Y,X (positive sizes) or auto, not '" + window + "'");
      }
    }
    job.overlap = overlap == null ? 0.5 : overlap;
    job.blend = blend == null ? Blend.GAUSSIAN : Blend.parse(blend);
    job.windowBatch = windowBatch == null ? 1 : windowBatch;
    job.padValue = padValue == null ? 0f : padValue;
    job.savePrediction = savePrediction;
  }
}
