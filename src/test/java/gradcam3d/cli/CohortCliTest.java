package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.report.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * batch as a cohort comparison: every case with each method, metrics.csv one row per case x method
 * x layer, the atlas's label x class matrix, and index.html with the box plots' numbers; a resumed
 * run rebuilds the same tables from the cases' summaries.
 */
class CohortCliTest {
  static final Path DIR = Path.of("src/test/resources/metrics");

  @TempDir
  Path tmp;

  @Test
  @SuppressWarnings("unchecked")
  void batchExplainsEachCaseWithEachMethodAndWritesTheCohortTables() throws IOException {
    Path scans = Files.createDirectories(tmp.resolve("scans"));
    Files.copy(DIR.resolve("seg3d_input.npy"), scans.resolve("a.npy"));
    Files.copy(DIR.resolve("seg3d_input.npy"), scans.resolve("b.npy"));
    Path out = tmp.resolve("out");
    List<String> args = List.of("batch", "--model", DIR.resolve("metrics_seg3d.onnx").toString(), "--inputs-dir",
        scans.toString(), "--layer", "down", "--target", "1", "--methods", "gradcam,saliency", "--metrics",
        "roc-auc,sparseness", "--atlas", DIR.resolve("seg3d_mask.npy").toString(), "--atlas-names",
        DIR.resolve("atlas/labels.csv").toString(), "--report", "--no-pictures", "--threads", "2", "-q", "--out",
        out.toString());
    Cli.Run r = Cli.run(args.toArray(String[]::new));
    assertEquals(0, r.exit(), r.toString());
    List<String> metrics = Files.readAllLines(out.resolve("metrics.csv"));
    assertEquals("case,method,layer,roc_auc,sparseness", metrics.get(0));
    assertEquals(5, metrics.size(), String.join("\n", metrics));
    assertTrue(metrics.get(1).startsWith("a,gradcam,down,") && metrics.get(2).startsWith("a,saliency,,"), metrics.get(1));
    // each row is its case's summary.json headline
    Map<String, Object> summary = (Map<String, Object>) Json.parse(Files.readString(
        out.resolve("b/saliency/summary.json")));
    Map<String, Object> headline = (Map<String, Object>) ((Map<String, Object>) ((List<Object>) ((Map<String, Object>)
        summary.get("metrics")).get("samples")).get(0)).get("headline");
    String[] row = metrics.get(4).split(",");
    assertEquals(((Number) headline.get("roc_auc")).doubleValue(), Double.parseDouble(row[3]), 1e-5);
    // the two cases are the same scan: no spread, and the atlas's rows name the labels
    List<String> atlas = Files.readAllLines(out.resolve("atlas.csv"));
    for (String method : List.of("gradcam down", "saliency")) {
      String liver = atlas.stream().filter(l -> l.startsWith("1,liver,class 1 " + method + ",2,")).findFirst()
          .orElseThrow(() -> new AssertionError(String.join("\n", atlas)));
      assertEquals(0.0, Double.parseDouble(liver.split(",")[5]), 1e-12, "two identical cases: no spread");
    }
    String index = Files.readString(out.resolve("index.html"));
    assertTrue(index.contains("id=\"cohort-data\"") && index.contains("id=\"atlas-heatmap\""));
    assertTrue(Files.exists(out.resolve("a/gradcam_down/report.html")));
    // resumed: the same tables, from the summaries
    String before = Files.readString(out.resolve("metrics.csv"));
    List<String> again = new java.util.ArrayList<>(args);
    again.add("--resume");
    Cli.Run resumed = Cli.run(again.toArray(String[]::new));
    assertEquals(0, resumed.exit(), resumed.toString());
    assertEquals(before, Files.readString(out.resolve("metrics.csv")));
  }
}
