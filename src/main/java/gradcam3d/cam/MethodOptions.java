package gradcam3d.cam;

import gradcam3d.autodiff.LrpRules;
import java.util.function.Supplier;

/**
 * The parameters of the methods that take theirs through {@link CamMethod#withOptions}, as the
 * command line gives them; each method reads the ones it takes. Values whose type belongs to one
 * method (an occlusion mode, an IG baseline) come as their command-line text, which the method
 * parses. The defaults live here once, for the methods' own constructors and the command line's
 * option defaults alike.
 *
 * @param femK FEM: threshold mean + k * std per channel
 * @param kpcaKernel KPCA-CAM: the kernel's name (sigmoid, rbf, poly, linear, cosine)
 * @param kpcaGamma KPCA-CAM: the kernel's gamma, or null for 1 / channels
 * @param finerAlpha Finer-CAM: how much of each comparison class's score is subtracted
 * @param finerCompare Finer-CAM: how many nearest classes the target class is contrasted with
 * @param refineBase Refine-CAM: the method whose per-layer maps are multiplied
 * @param seed Random-CAM: the seed of the random channel weights; SmoothGrad: the seed of its noise
 * @param concepts Deep Feature Factorization: how many concepts (NMF components)
 * @param samples SmoothGrad: how many noisy copies
 * @param noise SmoothGrad: the noise sigma as a fraction of the sample's intensity range
 * @param igSteps integrated gradients: points on the path
 * @param igBaseline integrated gradients: where the path starts (zero, blur)
 * @param occlusionSize occlusion: the window size, N or Z,Y,X
 * @param occlusionOverlap occlusion: the windows' overlap, or null (the default, or chosen by the budget)
 * @param occlusionMode occlusion: what the window becomes (gaussian, mean_patch, mean_img or a number)
 * @param occlusionBudget occlusion: at most this many forward passes, or null
 * @param lrpRules LRP: its rules, built only for LRP (building them checks options LRP alone reads)
 */
public record MethodOptions(double femK, String kpcaKernel, Double kpcaGamma, double finerAlpha, int finerCompare,
    CamMethod refineBase, long seed, int concepts, int samples, double noise, int igSteps, String igBaseline,
    String occlusionSize, Double occlusionOverlap, String occlusionMode, Long occlusionBudget,
    Supplier<LrpRules> lrpRules) {
  public static final double FEM_K = 2;
  public static final String KPCA_KERNEL = "sigmoid";
  public static final double FINER_ALPHA = 1;
  public static final int FINER_COMPARE = 3;
  public static final String REFINE_BASE = "gradcam++";
  public static final long SEED = gradcam3d.Defaults.SEED;
  public static final int CONCEPTS = 5;

  /** The layer methods' parameters; SmoothGrad's, IG's, occlusion's and LRP's at their methods' defaults. */
  public MethodOptions(double femK, String kpcaKernel, Double kpcaGamma, double finerAlpha, int finerCompare,
      CamMethod refineBase, long seed, int concepts) {
    this(femK, kpcaKernel, kpcaGamma, finerAlpha, finerCompare, refineBase, seed, concepts, 25, 0.15, 32, "zero",
        "16", null, "gaussian", null, () -> LrpRules.of(LrpRules.Composite.EPSILON_PLUS_FLAT));
  }
}
