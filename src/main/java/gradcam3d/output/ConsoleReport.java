package gradcam3d.output;

import gradcam3d.metrics.CascadingRandomization;
import gradcam3d.metrics.Evaluation;
import gradcam3d.metrics.FaithfulnessCurves;
import gradcam3d.metrics.MaskAgreement;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.Settings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The short human summary of an explained and written case. */
public final class ConsoleReport {
  /** Metrics printed on lines of their own above (or, for mprt, below). */
  private static final java.util.Set<String> DEFAULT_LINES = java.util.Set.of("deletion-insertion", "mask-agreement",
      "spread", "mprt");

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
    if (e.attribution() != null && e.attribution().completenessGap() != null) {
      out.printf(Locale.ROOT, "  gap      integrated gradients' completeness gap: %s of |T(x)|%n",
          Arrays.stream(e.attribution().completenessGap()).mapToObj(g -> String.format(Locale.ROOT, "%.3g", g))
              .collect(Collectors.joining(", ")));
    }
    if (e.relevance() != null) {
      // LRP: how much of the starting relevance arrived (per sample, at the input or the first layer)
      gradcam3d.cam.Explanation.Relevance rel = e.relevance();
      out.printf(Locale.ROOT, "  relevance %s arrived / started: %s%n", e.attribution() != null ? "input" : "layer",
          java.util.stream.IntStream.range(0, rel.starting().length)
              .mapToObj(b -> String.format(Locale.ROOT, "%.4g", rel.ofStarting(0, b))).collect(Collectors.joining(", ")));
    }
    if (e.attribution() != null && e.attribution().cost() != null) {
      var cost = e.attribution().cost();
      out.printf(Locale.ROOT, "  cost     %s: %d forward passes, %.1f s%n", cost.method(), cost.forwardPasses(),
          cost.seconds());
    }
    for (String warning : r.warnings()) {
      out.printf(Locale.ROOT, "  warning  %s%n", warning);
    }
    if (r.windows() != null && r.windows().requestedWindow() != null) {
      out.printf(Locale.ROOT, "  window   %s, not %s: a window longer than the scan only pads it; this model "
          + "takes the scan's size (rounded up to its stride)%n", Arrays.toString(r.windows().grid().window()),
          Arrays.toString(r.windows().requestedWindow()));
    }
    if (r.tables() != null) {
      printTables(out, r.tables());
    }
    if (r.metrics() != null) {
      printMetrics(out, r.metrics());
    }
    var c = e.compileStats();
    out.printf(Locale.ROOT, "  time     compile %.0f ms, session %.0f ms, forward+backward %.0f ms, "
        + "post-processing %.0f ms, total %.2f s%n", c.compileMs(), c.sessionMs(), e.runMs(), e.postMs(),
        (r.pipelineMs() + written.elapsedMs()) / 1000);
    out.printf(Locale.ROOT, "  wrote    %s%s: %s%n", dir, dir.toString().endsWith("/") ? "" : "/",
        String.join(", ", written.files()));
  }

  /** The atlas labels holding most of the map (up to 5, largest share first) and the channel shares. */
  public static void printTables(PrintWriter out, gradcam3d.pipeline.Tables t) {
    if (t.atlas() != null) {
      String top = t.atlas().rows().stream().filter(row -> row.share() > 0)
          .sorted((a, b) -> Double.compare(b.share(), a.share())).limit(5)
          .map(row -> String.format(Locale.ROOT, "%s %.1f%% (%.2fx its volume)", row.name(), 100 * row.share(),
              row.enrichment()))
          .collect(Collectors.joining(", "));
      out.printf(Locale.ROOT, "  atlas    %d labels; the map's mass: %s%n", t.atlas().rows().size(), top);
    }
    if (t.channels() != null) {
      for (int b = 0; b < t.channels().shares().length; b++) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < t.channels().names().size(); c++) {
          sb.append(c == 0 ? "" : ", ").append(t.channels().names().get(c))
              .append(String.format(Locale.ROOT, " %.1f%%", 100 * t.channels().shares()[b][c]));
        }
        out.printf(Locale.ROOT, "  channels share of |attribution|: %s%s%n", sb,
            t.channels().shares().length > 1 ? " (sample " + b + ")" : "");
      }
    }
  }

  /** One line per sample and measure, and the sanity check's verdict. */
  public static void printMetrics(PrintWriter out, Evaluation ev) {
    for (Evaluation.SampleMetrics m : ev.samples()) {
      String sample = ev.samples().size() > 1 ? " (sample " + m.sample() + ")" : "";
      FaithfulnessCurves c = m.curves();
      if (c != null) {
        if (c.undefined() != null) {
          out.printf(Locale.ROOT, "  curves   undefined: %s%s%n", c.undefined(), sample);
        } else {
          out.printf(Locale.ROOT, "  curves   deletion AUC %.3f, insertion AUC %.3f%s (%s, baseline %s, %d %s steps)%s%n",
              c.deletionAuc(), c.insertionAuc(), c.randomSeeds() > 0 ? String.format(Locale.ROOT,
                  "; random order %.3f / %.3f", c.randomDeletionAuc(), c.randomInsertionAuc()) : "",
              c.score().label(), c.baseline().label(), c.fractions().length, c.schedule().label(), sample);
        }
      }
      MaskAgreement a = m.agreement();
      if (a != null) {
        out.printf(Locale.ROOT, "  mask     %s: %.1f%% of the map's mass inside (%.2fx its %.1f%% share), peak %s, "
            + "rank accuracy %.3f, IoU %.3f / IoA %.3f at Otsu %.3f%s%n", m.maskSource(), 100 * a.massInside(),
            a.concentration(), 100 * a.maskShare(), a.peakInside() ? "inside" : "outside", a.rankAccuracy(),
            a.overlaps().get("otsu").iou(), a.overlaps().get("otsu").ioa(), a.otsuThreshold(), sample);
      }
      out.printf(Locale.ROOT, "  spread   mean %.3f, %.1f%% of voxels above 0.5%s%n", m.complexity().mean(),
          100 * m.complexity().fractionAboveHalf(), sample);
      // the other metrics: their headline numbers, one line each
      for (var r : m.results().entrySet()) {
        if (DEFAULT_LINES.contains(r.getKey())) {
          continue;
        }
        String values = r.getValue().headline().entrySet().stream()
            .map(h -> h.getKey() + " " + (Double.isFinite(h.getValue())
                ? String.format(Locale.ROOT, "%.4g", h.getValue()) : "undefined"))
            .collect(Collectors.joining(", "));
        out.printf(Locale.ROOT, "  metric   %s: %s%s%n", r.getKey(), values, sample);
      }
      m.skipped().forEach((name, why) -> out.printf(Locale.ROOT, "  skipped  %s: %s%s%n", name, why, sample));
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
