package gradcam3d.cli;

import gradcam3d.cam.Explanation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The short human summary printed after an explanation. */
final class Report {
  private Report() {}

  @SuppressWarnings("unchecked")
  static void print(PrintWriter out, ExplainJob.Result r, Path dir) {
    Map<String, Object> s = r.summary();
    Explanation e = r.explanation();
    List<Map<String, Object>> layers = (List<Map<String, Object>>) s.get("layers");
    StringBuilder names = new StringBuilder();
    for (Map<String, Object> l : layers) {
      names.append(names.length() == 0 ? "" : ", ").append(l.get("spec"));
    }
    out.printf(Locale.ROOT, "gradcam3d: %s at layer%s %s of %s%n", s.get("method"), layers.size() > 1 ? "s" : "",
        names, Path.of((String) s.get("model")).getFileName());
    out.printf(Locale.ROOT, "  input    %s  %s%n", String.join(" + ", (List<String>) s.get("inputs")),
        java.util.Arrays.toString((long[]) s.get("input_shape")));
    for (Map<String, Object> t : (List<Map<String, Object>>) s.get("targets")) {
      String sample = e.targets().size() > 1 ? " (sample " + t.get("sample") + ")" : "";
      boolean segmentation = e.outputShape().length > 2;
      out.printf(Locale.ROOT, "  target   %s%s: %s%s, score %.4g%n", t.get("description"), sample,
          segmentation ? t.get("region_voxels") + " voxels" : "class " + t.get("class"),
          segmentation ? "" : "", (Double) t.get("value"));
    }
    if (r.massInLabel() != null) {
      out.printf(Locale.ROOT, "  label    %.1f%% of the CAM's mass lies inside the true class-%d label, "
          + "which covers %.1f%% of the volume%n", 100 * r.massInLabel(), e.explainedClass(0), 100 * r.labelShare());
    }
    Map<String, Object> t = (Map<String, Object>) s.get("timings");
    out.printf(Locale.ROOT, "  time     compile %.0f ms, session %.0f ms, forward+backward %.0f ms, "
        + "post-processing %.0f ms, total %.2f s%n", t.get("compile_ms"), t.get("session_ms"),
        t.get("forward_backward_ms"), t.get("postprocess_ms"), (Double) t.get("total_ms") / 1000);
    out.printf(Locale.ROOT, "  wrote    %s%s: %s%n", dir, dir.toString().endsWith("/") ? "" : "/",
        String.join(", ", r.files()));
  }
}
