package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gradcam3d.report.Json;
import gradcam3d.testing.BrowserTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html in the pictures' frame: the demo scene stored RAS and LPS (explained with --orient
 * RAS, so the maps are equal) gives pixel-identical canvases, and the letters on the page's panel
 * edges are summary.json's display letters.
 */
class AnatomicalReportBrowserTest extends BrowserTest {
  @TempDir
  static Path tmp;

  @BeforeAll
  static void explainBothStorages() throws Exception {
    AnatomicalOrientationCliTest.tmp = tmp;
    AnatomicalOrientationCliTest.writeTheSceneThreeWays();
    for (String codes : List.of("RAS", "LPS")) {
      Cli.Run r = AnatomicalOrientationCliTest.explain(codes, "--orient", "RAS");
      assertEquals(0, r.exit(), r.toString());
    }
  }

  private static Path out(String codes) {
    return tmp.resolve("out-" + codes + "--orientRAS");
  }

  /** Each canvas's pixels, hashed, after the page has drawn. */
  private static Map<String, Object> canvases(Path html) throws Exception {
    browser.open(html, "document.body.dataset.ready === 'true'");
    Map<String, Object> hashes = new LinkedHashMap<>();
    for (String id : List.of("axial", "coronal", "sagittal", "mip-axial", "mip-coronal", "mip-sagittal")) {
      hashes.put(id, browser.number("(() => { const c = document.getElementById('" + id + "');"
          + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let h = 0;"
          + "for (let i = 0; i < d.length; i++) h = (h * 31 + d[i]) % 1000000007; return h; })()"));
    }
    return hashes;
  }

  @Test
  void twoStoragesOfOneSceneDrawTheSameCanvases() throws Exception {
    assertEquals(canvases(out("RAS").resolve("report.html")), canvases(out("LPS").resolve("report.html")));
  }

  @Test
  @SuppressWarnings("unchecked")
  void theEdgeLettersAreSummaryJsonsDisplayLetters() throws Exception {
    Path out = out("LPS");
    Map<String, Object> summary = (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
    Map<String, Object> panels = (Map<String, Object>) ((Map<String, Object>) summary.get("display")).get("panels");
    browser.open(out.resolve("report.html"), "document.body.dataset.ready === 'true'");
    for (String plane : List.of("axial", "coronal", "sagittal")) {
      Map<String, Object> letters = (Map<String, Object>) panels.get(plane);
      for (String side : List.of("top", "bottom", "left", "right")) {
        assertEquals(letters.get(side), text(plane + "-edge-" + side), plane + " " + side);
      }
      assertEquals(plane.substring(0, 1).toUpperCase() + plane.substring(1), text(plane + "-title"));
    }
  }
}
