package gradcam3d.cam;

/**
 * The parameters of the methods that take theirs through {@link CamMethod#withOptions}, as the
 * command line gives them; each method reads the ones it takes. The defaults live here once, for
 * the methods' own constructors and the command line's option defaults alike.
 *
 * @param femK FEM: threshold mean + k * std per channel
 * @param kpcaKernel KPCA-CAM: the kernel's name (sigmoid, rbf, poly, linear, cosine)
 * @param kpcaGamma KPCA-CAM: the kernel's gamma, or null for 1 / channels
 * @param finerAlpha Finer-CAM: how much of each comparison class's score is subtracted
 * @param finerCompare Finer-CAM: how many nearest classes the target class is contrasted with
 * @param refineBase Refine-CAM: the method whose per-layer maps are multiplied
 * @param seed Random-CAM: the seed of the random channel weights
 * @param concepts Deep Feature Factorization: how many concepts (NMF components)
 */
public record MethodOptions(double femK, String kpcaKernel, Double kpcaGamma, double finerAlpha, int finerCompare,
    CamMethod refineBase, long seed, int concepts) {
  public static final double FEM_K = 2;
  public static final String KPCA_KERNEL = "sigmoid";
  public static final double FINER_ALPHA = 1;
  public static final int FINER_COMPARE = 3;
  public static final String REFINE_BASE = "gradcam++";
  public static final long SEED = gradcam3d.Defaults.SEED;
  public static final int CONCEPTS = 5;
}
