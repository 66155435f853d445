package gradcam3d.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gradcam3d.report.CohortCharts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** metrics.csv, atlas.csv and the box plots' numbers from cases' summaries. */
class CohortTablesTest {
  static Map<String, Object> summary(int cls, double deletion, double liverShare) {
    return Map.of("targets", List.of(Map.of("class", cls)),
        "metrics", Map.of("samples", List.of(Map.of("headline", Map.of("deletion_auc", deletion)))),
        "atlas", Map.of("labels", List.of(
            Map.of("value", 0, "name", "background", "share", 1 - liverShare, "share_over_volume_share", 1.0),
            Map.of("value", 1, "name", "liver", "share", liverShare, "share_over_volume_share", 10 * liverShare))));
  }

  @Test
  void rowsPerCaseAndMethodAndTheLabelByClassMatrix(@TempDir Path tmp) throws Exception {
    CohortTables t = new CohortTables(true);
    t.addCompleted("case2", "gradcam", "up2", summary(1, 0.3, 0.4));
    t.addCompleted("case1", "gradcam", "up2", summary(1, 0.1, 0.2));
    t.addCompleted("case1", "saliency", "", summary(1, 0.2, 0.9));
    t.addCompleted("case3", "gradcam", "up2", summary(1, 0.2, 0.9));
    t.writeMetrics(tmp.resolve("metrics.csv"));
    assertEquals(List.of("case,method,layer,deletion_auc", "case1,gradcam,up2,0.100000", "case1,saliency,,0.200000",
        "case2,gradcam,up2,0.300000", "case3,gradcam,up2,0.200000"), Files.readAllLines(tmp.resolve("metrics.csv")));
    t.writeAtlas(tmp.resolve("atlas.csv"), tmp.resolve("atlas.png"));
    List<String> atlas = Files.readAllLines(tmp.resolve("atlas.csv"));
    // liver under gradcam: shares 0.4, 0.2, 0.9 -> mean 0.5, sd sqrt((0.01 + 0.09 + 0.16) / 2)
    String sd = String.format(java.util.Locale.ROOT, "%.6g", Math.sqrt((0.01 + 0.09 + 0.16) / 2));
    assertEquals("1,liver,class 1 gradcam up2,3,0.500000," + sd + ",5.00000," + String.format(java.util.Locale.ROOT,
        "%.6g", 10 * Math.sqrt((0.01 + 0.09 + 0.16) / 2)), atlas.get(3));
    assertEquals("1,liver,class 1 saliency,1,0.900000,,9.00000,", atlas.get(4), "one case: no spread");
    CohortCharts c = t.charts();
    assertEquals(2, c.boxes().size());
    CohortCharts.Box b = c.boxes().get(0);
    assertEquals("gradcam up2", b.group());
    assertEquals(3, b.n());
    assertEquals(0.1, b.min(), 1e-12);
    assertEquals(0.15, b.q1(), 1e-12);
    assertEquals(0.2, b.median(), 1e-12);
    assertEquals(0.25, b.q3(), 1e-12);
    assertEquals(0.3, b.max(), 1e-12);
  }

  @Test
  void theSharesMetricsTablesJoinIntoOne(@TempDir Path tmp) throws Exception {
    Files.writeString(tmp.resolve("metrics-shard-1-of-2.csv"), "case,method,layer,deletion_auc\r\nb,gradcam,up2,0.2\r\n");
    Files.writeString(tmp.resolve("metrics-shard-2-of-2.csv"),
        "case,method,layer,deletion_auc,roc_auc\r\na,gradcam,up2,0.1,0.9\r\n");
    assertEquals(2, CohortTables.mergeMetrics(List.of(tmp), tmp));
    assertEquals(List.of("case,method,layer,deletion_auc,roc_auc", "a,gradcam,up2,0.1,0.9", "b,gradcam,up2,0.2,"),
        Files.readAllLines(tmp.resolve("metrics.csv")));
    // merging again reads the shares, not the merged table itself
    assertEquals(2, CohortTables.mergeMetrics(List.of(tmp), tmp));
  }
}
