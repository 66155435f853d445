package gradcam3d.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.render.HeatMap;
import gradcam3d.testing.BrowserTest;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The charts of the per-structure tables and the cohort, in headless chromium: report.html's bar
 * charts (atlas labels and input channels) and index.html's box plots and atlas heat map are drawn,
 * each bar and box where its numbers put it.
 */
class CohortChartsBrowserTest extends BrowserTest {
  @TempDir
  static Path dir;
  static Path report;
  static Path index;

  @BeforeAll
  static void writePages() {
    CaseReport base = SyntheticCase.report();
    Map<String, Object> summary = new LinkedHashMap<>(base.summary());
    summary.put("atlas", Map.of("labels", List.of(
        Map.of("value", 0, "name", "background", "share", 0.2, "volume_share", 0.9),
        Map.of("value", 1, "name", "liver", "share", 0.6, "volume_share", 0.05),
        Map.of("value", 2, "name", "spleen", "share", 0.2, "volume_share", 0.05),
        Map.of("value", 3, "name", "kidney", "share", 0.0, "volume_share", 0.0))));
    summary.put("channels", Map.of("names", List.of("t1", "t1ce", "t2", "flair"),
        "shares", List.of(List.of(0.1, 0.4, 0.2, 0.3))));
    report = dir.resolve("report.html");
    CaseReportWriter.write(new CaseReport(base.title(), base.grid(), base.image(), base.maps(), base.target(),
        base.label(), summary), report);
    List<CohortCharts.Box> boxes = List.of(
        CohortCharts.Box.of("deletion_auc", "gradcam up2", List.of(0.1, 0.2, 0.3, 0.4, 0.5)),
        CohortCharts.Box.of("deletion_auc", "hirescam up2", List.of(0.05, 0.06, 0.07)),
        CohortCharts.Box.of("roc_auc", "gradcam up2", List.of(0.9, 0.95)),
        CohortCharts.Box.of("roc_auc", "hirescam up2", List.of(0.8, 0.99)));
    byte[] heat = HeatMap.png("atlas", List.of("liver", "spleen"), List.of("class 1", "class 2"),
        new double[][] {{0.6, 0.1}, {0.2, Double.NaN}}, new double[][] {{0.05, 0.01}, {Double.NaN, Double.NaN}});
    index = dir.resolve("index.html");
    BatchIndexWriter.write("cohort", List.of(new IndexRow("case1", "report.html", null, "class 1", 10L, 0.5,
        Map.of(), 1.0, null)), new CohortCharts(boxes, heat), index);
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> rects(String selector) {
    return (List<Map<String, Object>>) browser.eval("[...document.querySelectorAll('" + selector + "')].map(r => {"
        + " const b = r.getBoundingClientRect(); return {x: b.left, y: b.top, w: b.width, h: b.height}; })");
  }

  static double num(Map<String, Object> m, String key) {
    return ((Number) m.get(key)).doubleValue();
  }

  @Test
  void theReportDrawsOneBarPerLabelAndChannelInProportion() throws Exception {
    browser.open(report, "document.body.dataset.ready === 'true'");
    assertEquals(Boolean.FALSE, browser.eval("document.getElementById('charts').classList.contains('hidden')"));
    // labels holding mass, largest share first: liver, then background and spleen (kidney has none)
    List<Map<String, Object>> bars = rects("#atlas-chart rect.bar");
    assertEquals(3, bars.size());
    assertEquals(List.of("liver", "background", "spleen"), browser.eval("[...document.querySelectorAll("
        + "'#atlas-chart text[text-anchor=end]')].map(t => t.textContent)"));
    assertEquals(num(bars.get(0), "w") / 3, num(bars.get(1), "w"), 1.0, "0.2 is a third of 0.6");
    List<Map<String, Object>> reference = rects("#atlas-chart rect.reference");
    assertEquals(3, reference.size());
    assertEquals(num(bars.get(0), "w") * 0.9 / 0.6, num(reference.get(1), "w"), 1.0, "the volume share beside it");
    List<Map<String, Object>> channels = rects("#channels-chart rect.bar");
    assertEquals(4, channels.size());
    assertEquals(num(channels.get(1), "w") / 4, num(channels.get(0), "w"), 1.0, "t1 0.1 against t1ce 0.4");
    assertTrue(num(channels.get(1), "w") > 100, "the largest bar spans the plot");
  }

  @Test
  void theIndexDrawsABoxPlotPerMetricAndTheHeatMap() throws Exception {
    browser.open(index, "document.body.dataset.ready === 'true'");
    assertEquals(List.of("deletion_auc", "roc_auc"),
        browser.eval("[...document.querySelectorAll('svg.boxplot')].map(s => s.dataset.metric)"));
    List<Map<String, Object>> boxes = rects("svg.boxplot rect.box");
    assertEquals(4, boxes.size());
    for (Map<String, Object> b : boxes) {
      assertTrue(num(b, "w") >= 1 && num(b, "h") > 5, "a box is drawn: " + b);
    }
    // gradcam's quartiles 0.2..0.4 of a 0.05..0.5 axis: a box of 0.2 / 0.45 of the plot, right of hirescam's
    Map<String, Object> gradcam = boxes.get(0);
    Map<String, Object> hirescam = boxes.get(1);
    assertEquals(260 * 0.2 / 0.45, num(gradcam, "w"), 1.5);
    assertTrue(num(hirescam, "x") + num(hirescam, "w") < num(gradcam, "x"));
    @SuppressWarnings("unchecked")
    List<Number> medians = (List<Number>) browser.eval("[...document.querySelectorAll('svg.boxplot line.median')]"
        + ".map(l => l.getBoundingClientRect().left)");
    assertEquals(num(gradcam, "x") + num(gradcam, "w") / 2, medians.get(0).doubleValue(), 1.5, "median 0.3 mid-box");
    assertEquals(Boolean.TRUE, browser.eval("(() => { const i = document.getElementById('atlas-heatmap');"
        + " return i.complete && i.naturalWidth > 200 && i.naturalHeight > 40; })()"));
  }
}
