package gradcam3d.cli;

import gradcam3d.cam.Progress;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** --quiet, and the progress reporting it silences: shared by explain, batch and demo. */
final class QuietOption {
  @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors.")
  boolean quiet;

  Progress progress(PrintWriter err) {
    return ConsoleProgress.create(quiet, err);
  }
}
