package gradcam3d.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import gradcam3d.testing.BrowserTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** index.html in headless chromium: every case listed, sortable, thumbnails shown, links open reports. */
class BatchIndexBrowserTest extends BrowserTest {
  @TempDir
  static Path dir;
  static Path index;

  @BeforeAll
  static void writePages() throws Exception {
    CaseReportWriter.write(SyntheticCase.report(), dir.resolve("case 2").resolve("report.html"));
    CaseReportWriter.write(SyntheticCase.report(), dir.resolve("case10").resolve("report.html"));
    CaseReportWriter.write(SyntheticCase.report(), dir.resolve("case1").resolve("report.html"));
    List<IndexRow> rows = List.of(
        new IndexRow("case 2", "case 2/report.html", png(0xFF0000), "class 1", 900L, 0.61, Map.of("dice", 0.8), 1.5,
            null),
        new IndexRow("case10", "case10/report.html", png(0x00FF00), "class 1", 40L, 0.12, Map.of("dice", 0.3), 2.5,
            null),
        new IndexRow("broken<1>", null, null, null, null, null, null, 0.1, "cannot read broken<1>.nii: truncated"),
        new IndexRow("case1", "case1/report.html", png(0x0000FF), "class 1", 3000L, null, Map.of(), 0.5, null));
    index = dir.resolve("index.html");
    BatchIndexWriter.write("batch of 4", rows, index);
  }

  @BeforeEach
  void load() throws Exception {
    browser.open(index, "document.body.dataset.ready === 'true'");
  }

  @Test
  void listsEveryCaseWithItsNumbersAndErrors() {
    assertEquals(List.of("case 2", "case10", "broken<1>", "case1"), column(0));
    assertEquals(List.of("900", "40", "", "3000"), column(4));
    assertEquals(List.of("61.0%", "12.0%", "", ""), column(5));
    assertEquals(List.of("0.8000", "0.3000", "", ""), column(6), "metrics get a column");
    assertEquals("cannot read broken<1>.nii: truncated", column(8).get(2));
    assertEquals("4 cases, 1 failed. Click a column to sort; click a case to open its report.",
        browser.eval("document.getElementById('caption').textContent"));
    // thumbnails are decoded images, drawn at their size
    assertEquals(3.0, browser.number("[...document.images].filter(i => i.complete && i.naturalWidth === 24).length"));
  }

  @Test
  void columnsSortBothWaysWithEmptyCellsLast() {
    clickHeader("Region voxels");
    assertEquals(List.of("case10", "case 2", "case1", "broken<1>"), column(0));
    clickHeader("Region voxels");
    assertEquals(List.of("case1", "case 2", "case10", "broken<1>"), column(0));
    clickHeader("Case");
    assertEquals(List.of("broken<1>", "case 2", "case1", "case10"), column(0), "names compare numerically");
    clickHeader("Mass in label");
    assertEquals(List.of("case10", "case 2", "broken<1>", "case1"), column(0), "empty cells keep their order");
    assertEquals("ascending", browser.eval("[...document.querySelectorAll('th')].find(t => t.textContent"
        + " === 'Mass in label').getAttribute('aria-sort')"));
  }

  @Test
  void aCaseLinkOpensItsReport() throws Exception {
    Map<String, Object> r = linkRect("case 2");
    browser.click(((Number) r.get("x")).doubleValue(), ((Number) r.get("y")).doubleValue());
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline && !Boolean.TRUE.equals(browser.eval(
        "location.href.endsWith('case%202/report.html') && !!document.body && document.body.dataset.ready === 'true'"))) {
      Thread.sleep(50);
    }
    assertEquals(dir.resolve("case 2").resolve("report.html").toUri().toString(), browser.eval("location.href"));
    assertEquals("true", browser.eval("document.body.dataset.ready"));
  }

  @SuppressWarnings("unchecked")
  private static List<String> column(int index) {
    return (List<String>) browser.eval("[...document.getElementById('cases').tBodies[0].rows].map(r => r.cells["
        + index + "].textContent)");
  }

  @SuppressWarnings("unchecked")
  private static void clickHeader(String name) {
    Map<String, Object> r = (Map<String, Object>) browser.eval("(() => { const t = [...document.querySelectorAll("
        + "'th')].find(t => t.textContent === '" + name + "' || t.textContent.startsWith('" + name + " ')); const r = "
        + "t.getBoundingClientRect(); return {x: r.left + 5, y: r.top + r.height / 2}; })()");
    browser.click(((Number) r.get("x")).doubleValue(), ((Number) r.get("y")).doubleValue());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> linkRect(String text) {
    return (Map<String, Object>) browser.eval("(() => { const a = [...document.links].find(a => a.textContent === '"
        + text + "'); const r = a.getBoundingClientRect(); return {x: r.left + r.width / 2, y: r.top + r.height / 2};"
        + " })()");
  }

  private static byte[] png(int rgb) throws Exception {
    BufferedImage img = new BufferedImage(24, 16, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 24; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }
}
