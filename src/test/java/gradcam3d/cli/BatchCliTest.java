package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchCliTest {
  @TempDir
  Path tmp;

  @Test
  void explainsEveryCaseAndReportsTheOneThatFails() throws IOException {
    Path scans = DemoScans.withBrokenCase(tmp.resolve("scans"));
    Path out = tmp.resolve("out");
    Cli.Run r = Cli.run("batch", "--model", DemoScans.MODEL.toString(), "--inputs-dir",
        scans.toString(), "--label-suffix", "_label", "--layer", "up2", "--target", "1", "--out", out.toString(),
        "--threads", "2", "--no-pictures", "--quiet");
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("broken"), r.err());
    List<String> rows = Files.readAllLines(out.resolve("batch.csv"));
    assertEquals(5, rows.size(), String.join("\n", rows));
    assertTrue(rows.get(1).startsWith("broken,failed"), rows.get(1));
    String[] case1 = rows.get(2).split(",");
    assertEquals("demo_case1", case1[0]);
    assertEquals("ok", case1[1]);
    assertEquals("1951", case1[3]);
    assertEquals(0.581, Double.parseDouble(case1[5]), 0.005);
    for (int k = 1; k <= 3; k++) {
      assertTrue(Files.exists(out.resolve("demo_case" + k + "/cam.nii.gz")));
    }
    assertTrue(!Files.exists(out.resolve("broken")), "nothing written for the failed case");
  }
}
