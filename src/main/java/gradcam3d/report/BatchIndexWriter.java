package gradcam3d.report;

import gradcam3d.AtomicFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Writes index.html for a batch: one row per case with its thumbnail, target, region size, the
 * map's mass inside the label, metrics, time and error, linking to each case's report. Rows are
 * plain HTML (readable without scripts); a few lines of script sort by any column.
 */
public final class BatchIndexWriter {
  static final String TEMPLATE = "index.html";

  private BatchIndexWriter() {}

  public static void write(String title, List<IndexRow> rows, Path html) {
    write(title, rows, CohortCharts.NONE, html);
  }

  /**
   * Same, with the cohort's charts under the table: a box plot per metric (one box per method and
   * layer over the cases, drawn by the page's script from its numbers) and the atlas heat map.
   */
  public static void write(String title, List<IndexRow> rows, CohortCharts charts, Path html) {
    String page = page(title, rows, charts);
    AtomicFiles.write(html, out -> out.write(page.getBytes(StandardCharsets.UTF_8)));
  }

  /** The page's text (to write it together with the batch table, {@link AtomicFiles#writeTogether}). */
  public static String page(String title, List<IndexRow> rows) {
    return page(title, rows, CohortCharts.NONE);
  }

  /** The page's text with the cohort's charts. */
  public static String page(String title, List<IndexRow> rows, CohortCharts charts) {
    List<String> metricNames = List.copyOf(new TreeSet<>(rows.stream()
        .flatMap(r -> r.metrics().keySet().stream()).toList()));
    StringBuilder head = new StringBuilder();
    column(head, "Case", "text");
    column(head, "Picture", null);
    column(head, "Status", "text");
    column(head, "Target", "text");
    column(head, "Region voxels", "number");
    column(head, "Mass in label", "number");
    for (String m : metricNames) {
      column(head, m, "number");
    }
    column(head, "Seconds", "number");
    column(head, "Error", "text");
    StringBuilder body = new StringBuilder();
    for (IndexRow r : rows) {
      body.append(r.failed() ? "<tr class=\"failed\">" : "<tr>");
      String name = HtmlTemplates.escape(r.caseName());
      cell(body, r.caseName(), r.reportHref() == null ? name
          : "<a href=\"" + HtmlTemplates.escape(href(r.reportHref())) + "\">" + name + "</a>");
      cell(body, "", r.thumbnailPng() == null ? "" : "<img alt=\"" + name + "\" src=\"data:image/png;base64,"
          + Base64.getEncoder().encodeToString(r.thumbnailPng()) + "\">");
      cell(body, r.failed() ? "failed" : "ok", r.failed() ? "failed" : "ok");
      text(body, r.target());
      number(body, r.regionVoxels(), v -> Long.toString(v));
      number(body, r.massInLabel(), v -> String.format(Locale.ROOT, "%.1f%%", 100 * v));
      for (String m : metricNames) {
        number(body, r.metrics().get(m), v -> String.format(Locale.ROOT, "%.4g", v));
      }
      number(body, r.seconds(), v -> String.format(Locale.ROOT, "%.2f", v));
      text(body, r.error());
      body.append("</tr>\n");
    }
    long failed = rows.stream().filter(IndexRow::failed).count();
    String caption = rows.size() + " case" + (rows.size() == 1 ? "" : "s")
        + (failed > 0 ? ", " + failed + " failed" : "");
    return HtmlTemplates.fill(HtmlTemplates.load(TEMPLATE), Map.of("TITLE", HtmlTemplates.escape(title),
        "CAPTION", HtmlTemplates.escape(caption), "HEAD", head.toString(), "ROWS", body.toString(),
        "CHARTS", charts(charts)));
  }

  /** The charts section's HTML: the box plots' numbers for the script, the heat map inline. */
  private static String charts(CohortCharts c) {
    StringBuilder sb = new StringBuilder();
    if (!c.boxes().isEmpty()) {
      List<Object> boxes = new java.util.ArrayList<>();
      for (CohortCharts.Box b : c.boxes()) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("metric", b.metric());
        m.put("group", b.group());
        m.put("n", b.n());
        m.put("min", b.min());
        m.put("q1", b.q1());
        m.put("median", b.median());
        m.put("q3", b.q3());
        m.put("max", b.max());
        boxes.add(m);
      }
      sb.append("<h2>Metrics over the cases</h2>\n<p>Each box: the quartiles of one method and layer over the "
          + "cases, the line its median, the whiskers the smallest and largest value.</p>\n<div id=\"boxplots\"></div>\n"
          + "<script type=\"application/json\" id=\"cohort-data\">")
          .append(HtmlTemplates.scriptJson(boxes)).append("</script>\n");
    }
    if (c.atlasPng() != null) {
      sb.append("<h2>Map mass by atlas label</h2>\n<img id=\"atlas-heatmap\" alt=\"label x class matrix of the map's "
          + "mass\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(c.atlasPng()))
          .append("\">\n");
    }
    return sb.toString();
  }

  /** A relative path as a URL path: '/' separators, each part percent-encoded where needed. */
  private static String href(String relative) {
    StringBuilder sb = new StringBuilder();
    for (byte b : relative.replace('\\', '/').getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      if (Character.isLetterOrDigit(c) && c < 128 || "-._~/".indexOf(c) >= 0) {
        sb.append((char) c);
      } else {
        sb.append('%').append(String.format(Locale.ROOT, "%02X", c));
      }
    }
    return sb.toString();
  }

  private static void column(StringBuilder sb, String name, String sortType) {
    sb.append(sortType == null ? "<th>" : "<th data-sort=\"" + sortType + "\" aria-sort=\"none\" tabindex=\"0\">")
        .append(HtmlTemplates.escape(name)).append("</th>");
  }

  /** A cell whose sort key (data-value) is separate from what it shows. */
  private static void cell(StringBuilder sb, String sortValue, String html) {
    sb.append("<td data-value=\"").append(HtmlTemplates.escape(sortValue)).append("\">").append(html).append("</td>");
  }

  private static void text(StringBuilder sb, String value) {
    cell(sb, value == null ? "" : value, value == null ? "" : HtmlTemplates.escape(value));
  }

  private static <T extends Number> void number(StringBuilder sb, T value, Function<T, String> shown) {
    if (value == null || Double.isNaN(value.doubleValue())) {
      cell(sb, "", "");
    } else {
      cell(sb, String.valueOf(value), shown.apply(value));
    }
  }
}
