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
      + "Metrics (summary.json \"metrics\", evaluate.json; full definitions in README):%n"
      + "  deletion/insertion: voxels ranked by the map (highest first, ties by%n"
      + "    index); the top k_i = floor(N*i/(n-1) + 1/2) voxels (all channels) are%n"
      + "    replaced by the baseline (deletion) or restored into the baseline%n"
      + "    volume (insertion); value = target score / unperturbed score, the%n"
      + "    target region fixed from the unperturbed prediction; AUC = trapezoid%n"
      + "    over [0, 1]; random_* = mean over random orders (seeds 0..R-1)%n"
      + "  baselines: blur = Gaussian sigma 4 voxels per axis, truncated at 4 sigma,%n"
      + "    edges nearest; mean = per-channel mean; zero%n"
      + "  mask agreement (--label, else the target region): mass inside, mask%n"
      + "    share, their ratio, peak inside (pointing game), IoU and IoA (M3d-CAM)%n"
      + "    of map > t for t = Otsu, 0.25, 0.5, 0.75%n"
      + "  complexity: mean map value, fraction of voxels > 0.5%n"
      + "  --sanity: cascading weight randomisation (Adebayo et al.) from the output%n"
      + "    backwards; Spearman rank correlation with the original map per step;%n"
      + "    warns when above 0.9 once half the layers are random%n";

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
