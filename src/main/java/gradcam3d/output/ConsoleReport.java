package gradcam3d.output;

import gradcam3d.cam.Conditioning;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.Settings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The short human summary of an explained and written case. */
public final class ConsoleReport {
  private ConsoleReport() {}

  public static void print(PrintWriter out, CaseResult r, Written written, Path dir) {
    Settings st = r.settings();
    var e = r.explanation();
    String names = e.layers().stream().map(l -> l.layer().spec()).collect(Collectors.joining(", "));
    out.printf(Locale.ROOT, "gradcam3d: %s at layer%s %s of %s%n", st.method().name(),
        e.layers().size() > 1 ? "s" : "", names, Path.of(st.modelName()).getFileName());
    out.printf(Locale.ROOT, "  input    %s  %s%n", String.join(" + ", r.input().names()),
        Arrays.toString(r.loaded().batch().shape()));
    for (CaseResult.TargetSummary t : r.targets()) {
      String sample = e.targets().size() > 1 ? " (sample " + t.sample() + ")" : "";
      out.printf(Locale.ROOT, "  target   %s%s: %s, score %.4g%n", t.description(), sample,
          r.segmentation() ? t.regionVoxels() + " voxels" : "class " + t.explainedClass(), t.value());
    }
    if (r.label() != null) {
      out.printf(Locale.ROOT, "  label    %.1f%% of the CAM's mass lies inside the true class-%d label, "
          + "which covers %.1f%% of the volume%n", 100 * r.label().massInside(), r.label().explainedClass(),
          100 * r.label().labelShare());
    }
    if (e.weightsIllConditioned()) {
      out.printf(Locale.ROOT, "  warning  %s%n", Conditioning.ADVICE);
    }
    var c = e.compileStats();
    out.printf(Locale.ROOT, "  time     compile %.0f ms, session %.0f ms, forward+backward %.0f ms, "
        + "post-processing %.0f ms, total %.2f s%n", c.compileMs(), c.sessionMs(), e.runMs(), e.postMs(),
        (r.pipelineMs() + written.elapsedMs()) / 1000);
    out.printf(Locale.ROOT, "  wrote    %s%s: %s%n", dir, dir.toString().endsWith("/") ? "" : "/",
        String.join(", ", written.files()));
  }
}
