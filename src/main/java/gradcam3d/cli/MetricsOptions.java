package gradcam3d.cli;

import gradcam3d.Gradcam3dException;
import gradcam3d.metrics.Baseline;
import gradcam3d.metrics.Evaluation;
import gradcam3d.metrics.FaithfulnessCurves;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** How maps are evaluated: shared by evaluate, compare, and explain/batch with --metrics. */
final class MetricsOptions {
  /** The definitions, for every command's --help (one string: annotation values must be constants). */
  static final String DEFINITIONS = ""
      + "%n"
      + "Metrics (summary.json \"metrics\", evaluate.json; definitions in the README):%n"
      + "  deletion/insertion  voxels ranked by the map (highest first, ties by index); the top%n"
      + "      k_i = floor(N*i/(n-1) + 1/2) voxels (all channels) replaced by the baseline (deletion), or%n"
      + "      restored into the baseline volume (insertion); target score / unperturbed score, with%n"
      + "      the target region fixed from the unperturbed prediction; AUC = trapezoid over [0, 1];%n"
      + "      random_* = mean AUC of random orders (seeds 0..R-1, splitmix64 keys)%n"
      + "  baselines  blur = Gaussian sigma 4 voxels per axis, truncated at 4 sigma, edges nearest;%n"
      + "      mean = per-channel mean; zero%n"
      + "  mask agreement (--label, else the target region): mass inside, mask share, their ratio,%n"
      + "      peak inside (pointing game), IoU and IoA (M3d-CAM) of map > t, t = Otsu, 0.25, 0.5, 0.75%n"
      + "  complexity  mean map value, fraction of voxels > 0.5%n"
      + "  --sanity  cascading weight randomisation (Adebayo et al.) from the output back: Spearman%n"
      + "      rank correlation with the original map per step; warns when > 0.9 after half the layers%n";

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  Baseline baseline = Baseline.BLUR;
  int steps = FaithfulnessCurves.DEFAULT_STEPS;
  int randomSeeds = FaithfulnessCurves.DEFAULT_RANDOM_SEEDS;
  int sanitySteps = Integer.MAX_VALUE;

  @Option(names = "--sanity", description = "Also run the cascading randomisation sanity check "
      + "(one explanation per step).")
  boolean sanity;

  @Option(names = "--baseline", paramLabel = "blur|mean|zero",
      description = "What replaces removed voxels (default: blur, Gaussian sigma 4 voxels per axis).")
  void baseline(String name) {
    try {
      baseline = Baseline.byName(name);
    } catch (Gradcam3dException e) {
      throw new ParameterException(spec.commandLine(), "--baseline: " + e.getMessage());
    }
  }

  @Option(names = "--steps", paramLabel = "N",
      description = "Points per deletion/insertion curve, p = 0 .. 100 percent (default: 21, every 5 percent).")
  void steps(int n) {
    if (n < 2) {
      throw new ParameterException(spec.commandLine(), "--steps must be at least 2, not " + n);
    }
    steps = n;
  }

  @Option(names = "--random-seeds", paramLabel = "R",
      description = "Random orders averaged for the reference AUCs (default: 3; 0 skips them).")
  void randomSeeds(int n) {
    if (n < 0) {
      throw new ParameterException(spec.commandLine(), "--random-seeds cannot be negative: " + n);
    }
    randomSeeds = n;
  }

  @Option(names = "--sanity-steps", paramLabel = "N",
      description = "At most N randomisation steps, each adding a share of the layers (default: one per layer).")
  void sanitySteps(int n) {
    if (n < 1) {
      throw new ParameterException(spec.commandLine(), "--sanity-steps must be at least 1, not " + n);
    }
    sanitySteps = n;
  }

  Evaluation.Settings settings(int batchSize) {
    return Evaluation.Settings.defaults().withBaseline(baseline).withSteps(steps).withRandomSeeds(randomSeeds)
        .withBatchSize(batchSize).withSanity(sanity, sanitySteps);
  }
}
