package gradcam3d.cli;

import gradcam3d.Gradcam3dException;
import gradcam3d.metrics.Baseline;
import gradcam3d.metrics.CurveScore;
import gradcam3d.metrics.Evaluation;
import gradcam3d.metrics.FaithfulnessCurves;
import gradcam3d.metrics.MetricCatalog;
import gradcam3d.metrics.MetricParams;
import gradcam3d.metrics.StepSchedule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
      + "  the score: the explained class's probability (softmax over classes,%n"
      + "    sigmoid for one channel) averaged over the target region fixed from%n"
      + "    the unperturbed prediction (classifiers: the class probability);%n"
      + "    --curve-score logits: the explanation's own target T (sum)%n"
      + "  deletion/insertion: voxels ranked by the map (highest first, ties by%n"
      + "    index); at point i the top k_i = floor(N*f_i + 1/2) voxels (all%n"
      + "    channels) are replaced by the baseline (deletion) or restored into%n"
      + "    the baseline volume (insertion); f_i geometric from f_1 =%n"
      + "    min(1%%, region share / 4) to 1 (--step-scale linear: i/(n-1));%n"
      + "    value = (s - s_baseline) / (s_x - s_baseline) clipped to [0, 1]%n"
      + "    (logits: s / s_x); AUC = trapezoid over the fraction removed;%n"
      + "    random_* = mean over random orders (seeds 0..R-1)%n"
      + "  baselines: blur = Gaussian sigma 4 voxels per axis, truncated at 4 sigma,%n"
      + "    edges nearest; mean = per-channel mean; zero%n"
      + "  mask agreement (--label, else the target region): mass inside%n"
      + "    (relevance mass accuracy), relevance rank accuracy (share of the |M|%n"
      + "    top voxels inside), mask share, their ratio, peak inside (pointing%n"
      + "    game), IoU and IoA (M3d-CAM) of map > t for t = Otsu, 0.25, 0.5, 0.75%n"
      + "  spread: mean map value, fraction of voxels > 0.5%n"
      + "  mprt (--sanity): cascading weight randomisation (Adebayo et al.) from the%n"
      + "    output backwards; Spearman rank correlation with the original map per%n"
      + "    step; warns when above 0.9 once half the layers are random%n"
      + "  every metric of --metrics, by group (parameters: --metric-param NAME.KEY=V):%n";

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  Baseline baseline = Baseline.BLUR;
  int steps = FaithfulnessCurves.DEFAULT_STEPS;
  int randomSeeds = FaithfulnessCurves.DEFAULT_RANDOM_SEEDS;
  int sanitySteps = Integer.MAX_VALUE;
  CurveScore curveScore = CurveScore.PROBABILITY;
  StepSchedule stepScale = StepSchedule.GEOMETRIC;
  List<String> metrics;
  MetricParams params = MetricParams.DEFAULTS;

  @Option(names = "--metrics", arity = "0..1", fallbackValue = "", paramLabel = "GROUP|NAME,...",
      description = "Which metrics: groups faithfulness, robustness, localisation, complexity, randomisation, "
          + "axiomatic, all, or metric names (listed in 'gradcam3d evaluate --help'), comma separated. Without a "
          + "value: deletion-insertion, mask-agreement, spread (evaluate's default; explain and batch measure "
          + "only when --metrics is given). The forward passes, explanation re-runs and an estimated time are "
          + "printed before they run.")
  void metrics(String list) {
    List<String> names = Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    try {
      if (!names.isEmpty()) {
        MetricCatalog.select(names);
      }
    } catch (Gradcam3dException e) {
      throw new ParameterException(spec.commandLine(), "--metrics: " + e.getMessage());
    }
    metrics = names;
  }

  @Option(names = "--metric-param", paramLabel = "NAME.KEY=VALUE",
      description = "A metric's parameter, e.g. faithfulness-correlation.runs=100 (repeatable; each metric's "
          + "parameters and defaults in 'gradcam3d evaluate --help').")
  void metricParam(List<String> texts) {
    try {
      params = MetricParams.parse(texts);
    } catch (Gradcam3dException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  @Option(names = "--metric-seed", paramLabel = "N", defaultValue = "" + gradcam3d.Defaults.SEED,
      description = "Seed of every random part of the metrics: subsets, noise, random classes "
          + "(default: ${DEFAULT-VALUE}).")
  long metricSeed;

  @Option(names = "--sanity", description = "Also run the cascading randomisation sanity check, metric mprt "
      + "(one explanation per step).")
  boolean sanity;

  @Option(names = "--baseline", paramLabel = "blur|mean|zero",
      description = "What replaces removed voxels in the deletion/insertion curves (default: blur, Gaussian "
          + "sigma 4 voxels per axis).")
  void baseline(String name) {
    try {
      baseline = Baseline.byName(name);
    } catch (Gradcam3dException e) {
      throw new ParameterException(spec.commandLine(), "--baseline: " + e.getMessage());
    }
  }

  @Option(names = "--curve-score", paramLabel = "probability|logits",
      description = "What the perturbation metrics score: the class probability averaged over the fixed target "
          + "region, curves normalised to [0, 1] (default), or logits: the explanation's own target T, curves "
          + "as T / T(x) (before version 24's metrics).")
  void curveScore(String name) {
    try {
      curveScore = CurveScore.byName(name);
    } catch (Gradcam3dException e) {
      throw new ParameterException(spec.commandLine(), "--curve-score: " + e.getMessage());
    }
  }

  @Option(names = "--steps", paramLabel = "N",
      description = "Points per deletion/insertion curve, from 0 to all voxels (default: "
          + gradcam3d.metrics.FaithfulnessCurves.DEFAULT_STEPS + ").")
  void steps(int n) {
    if (n < 2) {
      throw new ParameterException(spec.commandLine(), "--steps must be at least 2, not " + n);
    }
    steps = n;
  }

  @Option(names = "--step-scale", paramLabel = "geometric|linear",
      description = "Where the curve points lie: geometric fractions from min(1%%, target region share / 4) to "
          + "1 (default), or every 1/(N-1).")
  void stepScale(String name) {
    try {
      stepScale = StepSchedule.byName(name);
    } catch (Gradcam3dException e) {
      throw new ParameterException(spec.commandLine(), "--step-scale: " + e.getMessage());
    }
  }

  @Option(names = "--random-seeds", paramLabel = "R",
      description = "Random orders averaged for the reference AUCs (default: "
          + gradcam3d.metrics.FaithfulnessCurves.DEFAULT_RANDOM_SEEDS + "; 0 skips them).")
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

  /** Whether --metrics was given (with or without a list). */
  boolean given() {
    return metrics != null;
  }

  Evaluation.Settings settings(int batchSize) {
    return Evaluation.Settings.defaults().withBaseline(baseline).withSteps(steps).withRandomSeeds(randomSeeds)
        .withBatchSize(batchSize).withSanity(sanity, sanitySteps).withCurveScore(curveScore)
        .withStepScale(stepScale).withMetrics(metrics == null ? List.of() : new ArrayList<>(metrics))
        .withParams(params).withSeed(metricSeed);
  }
}
