package gradcam3d.cli;

import gradcam3d.metrics.Evaluation;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * --metrics and the metric options, for commands that measure only when asked (explain, batch,
 * and the Spark cohort job).
 */
public final class MetricsSwitch {
  @Option(names = "--metrics", description = "Also measure each map (deletion/insertion curves, mask agreement, "
      + "complexity; see 'gradcam3d evaluate --help') into summary.json \"metrics\".")
  boolean on;

  @Mixin
  MetricsOptions options;

  /** The settings when --metrics is given, else null. */
  public Evaluation.Settings settings(int batchSize) {
    return on ? options.settings(batchSize) : null;
  }
}
