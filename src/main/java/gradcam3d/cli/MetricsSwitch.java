package gradcam3d.cli;

import gradcam3d.metrics.Evaluation;
import picocli.CommandLine.Mixin;

/**
 * --metrics [LIST] and the metric options, for commands that measure only when asked (explain,
 * batch, and the Spark cohort job).
 */
public final class MetricsSwitch {
  @Mixin
  MetricsOptions options;

  /** Whether --metrics was given. */
  public boolean on() {
    return options.given();
  }

  /** The settings when --metrics is given, else null. */
  public Evaluation.Settings settings(int batchSize) {
    return on() ? options.settings(batchSize) : null;
  }
}
