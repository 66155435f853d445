package gradcam3d.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** One case to measure and where results go: shared by evaluate and compare. */
final class CaseOptions {
  @Option(names = "--input", required = true, paramLabel = "FILE",
      description = "Input: .nii/.nii.gz or .npy, as for 'explain'. Repeat to stack files as channels.")
  List<Path> inputs;

  @Option(names = "--label", paramLabel = "FILE",
      description = "True label volume: mask agreement uses the voxels labelled with the explained class "
          + "(default: the target region, when the output grid is the input grid).")
  Path label;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

  /** A job for this case, measured with the given settings, writing no pictures into dir. */
  ExplainJob job(ExplanationOptions explanation, MetricsOptions metrics, Path dir) {
    ExplainJob job = explanation.job();
    job.inputs = inputs;
    job.label = label;
    job.out = dir;
    job.pictures = false;
    job.metrics = metrics.settings(job.batchSize);
    return job;
  }
}
