package gradcam3d;

/**
 * The default of every explanation setting that has a number or a name for one, kept here once:
 * the library's factories ({@code Settings.of}, {@code cam.Request.of}, the methods' no-argument
 * constructors, {@code SlidingWindowExplainer.Settings.of}, {@code RuntimeOptions.defaults()}) and
 * the command line's option defaults both read these constants, so a Java caller gets what the
 * command line gives (DefaultsAgreeTest reads the command line's option specs and checks it).
 * Typed defaults (a method, an enum) are named here by the text the command line parses, and the
 * library's factories use the matching constant.
 */
public final class Defaults {
  private Defaults() {}

  /** The method when none is named. */
  public static final String METHOD = "gradcam";
  /** Raw outputs (logits), not probabilities. */
  public static final String SCORE = "logits";
  /** The model output a target reads. */
  public static final int MODEL_OUTPUT = 0;

  /**
   * Perturbed passes per batch (Score-CAM, Ablation-CAM, occlusion). 2: the same CPU time as 4 to 16
   * on the bench model, at half the peak memory (docs/benchmarks.md).
   */
  public static final int BATCH_SIZE = 2;

  /** SmoothGrad: noisy copies of the input. */
  public static final int SMOOTHGRAD_SAMPLES = 25;
  /** SmoothGrad: noise sigma as a fraction of the input's (max - min). */
  public static final double SMOOTHGRAD_NOISE = 0.15;
  /** The seed of random draws (SmoothGrad's noise, Random-CAM's weights). */
  public static final long SEED = 0;

  /** Integrated gradients: points of the trapezoid rule. */
  public static final int IG_STEPS = 32;
  /** Integrated gradients: the path starts at zeros. */
  public static final String IG_BASELINE = "zero";

  /** Sliding windows: overlap of neighbouring windows (nnU-Net's 0.5). */
  public static final double WINDOW_OVERLAP = 0.5;
  /** Sliding windows: Gaussian weights of overlapping predictions (nnU-Net's). */
  public static final String WINDOW_BLEND = "gaussian";
  /** Sliding windows: windows per ONNX Runtime run. */
  public static final int WINDOW_BATCH = 1;
  /** Sliding windows: value of the padding of axes shorter than the window. */
  public static final float WINDOW_PAD_VALUE = 0f;

  /** Occlusion: windows of this many voxels along every axis (MONAI's). */
  public static final long OCCLUSION_SIZE = 16;
  /** Occlusion: overlap of neighbouring windows (MONAI's). */
  public static final double OCCLUSION_OVERLAP = 0.25;
  /** Occlusion: how the window is occluded. */
  public static final String OCCLUSION_MODE = "gaussian";

  /** LRP: the Epsilon rule's stabiliser (zennit's), as written in the command line's help. */
  public static final String LRP_EPSILON = "1e-6";
  /** LRP: the Gamma rule's gamma (zennit's). */
  public static final double LRP_GAMMA = 0.25;

  /** ONNX Runtime threads: all cores of this machine. */
  public static int threads() {
    return Runtime.getRuntime().availableProcessors();
  }
}
