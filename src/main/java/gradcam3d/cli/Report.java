package gradcam3d.cli;

import gradcam3d.cam.Explanation;
import gradcam3d.metrics.CascadingRandomization;
import gradcam3d.metrics.Evaluation;
import gradcam3d.metrics.FaithfulnessCurves;
import gradcam3d.metrics.MaskAgreement;
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
    if (r.evaluation() != null) {
      printMetrics(out, r.evaluation());
    }
    Map<String, Object> t = (Map<String, Object>) s.get("timings");
    out.printf(Locale.ROOT, "  time     compile %.0f ms, session %.0f ms, forward+backward %.0f ms, "
        + "post-processing %.0f ms, total %.2f s%n", t.get("compile_ms"), t.get("session_ms"),
        t.get("forward_backward_ms"), t.get("postprocess_ms"), (Double) t.get("total_ms") / 1000);
    out.printf(Locale.ROOT, "  wrote    %s%s: %s%n", dir, dir.toString().endsWith("/") ? "" : "/",
        String.join(", ", r.files()));
  }

  /** One line per sample and measure, and the sanity check's verdict. */
  static void printMetrics(PrintWriter out, Evaluation ev) {
    for (Evaluation.SampleMetrics m : ev.samples()) {
      String sample = ev.samples().size() > 1 ? " (sample " + m.sample() + ")" : "";
      FaithfulnessCurves c = m.curves();
      if (c != null) {
        out.printf(Locale.ROOT, "  curves   deletion AUC %.3f, insertion AUC %.3f%s (baseline %s, %d steps)%s%n",
            c.deletionAuc(), c.insertionAuc(), c.randomSeeds() > 0 ? String.format(Locale.ROOT,
                "; random order %.3f / %.3f", c.randomDeletionAuc(), c.randomInsertionAuc()) : "",
            c.baseline().label(), c.fractions().length, sample);
      }
      MaskAgreement a = m.agreement();
      if (a != null) {
        out.printf(Locale.ROOT, "  mask     %s: %.1f%% of the map's mass inside (%.2fx its %.1f%% share), peak %s, "
            + "IoU %.3f / IoA %.3f at Otsu %.3f%s%n", m.maskSource(), 100 * a.massInside(), a.concentration(),
            100 * a.maskShare(), a.peakInside() ? "inside" : "outside", a.overlaps().get("otsu").iou(),
            a.overlaps().get("otsu").ioa(), a.otsuThreshold(), sample);
      }
      out.printf(Locale.ROOT, "  spread   mean %.3f, %.1f%% of voxels above 0.5%s%n", m.complexity().mean(),
          100 * m.complexity().fractionAboveHalf(), sample);
    }
    if (ev.sanity() != null) {
      StringBuilder sb = new StringBuilder();
      for (CascadingRandomization.Step st : ev.sanity().steps()) {
        sb.append(sb.length() == 0 ? "" : ", ").append(st.randomLayers()).append(": ")
            .append(String.format(Locale.ROOT, "%.2f", st.spearman()));
      }
      out.printf(Locale.ROOT, "  sanity   Spearman with the original map by random layers (of %d): %s%n",
          ev.sanity().layers(), sb);
      if (ev.sanity().warning() != null) {
        out.println("  warning  " + ev.sanity().warning());
      }
    }
  }
}
