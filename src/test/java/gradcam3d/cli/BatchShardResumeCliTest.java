package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.output.BatchTable;
import gradcam3d.output.CsvTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Job-array features of batch: shares, merge, and resume after the process was killed mid-batch. */
class BatchShardResumeCliTest {
  private static final Path DEMO = Path.of("src/main/resources/gradcam3d/demo");

  @TempDir
  Path tmp;

  /** Copies of the three demo cases (case k and k+3 are the same scan) and one broken file. */
  private Path scans(int copies) throws IOException {
    Path scans = Files.createDirectories(tmp.resolve("scans"));
    for (int i = 0; i < copies; i++) {
      int k = i % 3 + 1;
      Files.copy(DEMO.resolve("demo_case" + k + ".nii.gz"), scans.resolve("scan" + i + ".nii.gz"));
    }
    Files.write(scans.resolve("broken.nii.gz"), new byte[] {31, -117, 8, 0});
    return scans;
  }

  private static List<String> batchArgs(Path scans, Path out, String... more) {
    List<String> a = new ArrayList<>(List.of("batch", "--model", DEMO.resolve("demo_unet3d.onnx").toString(),
        "--inputs-dir", scans.toString(), "--layer", "up2", "--target", "1", "--out", out.toString(), "--threads",
        "1", "--no-pictures", "--quiet"));
    a.addAll(List.of(more));
    return a;
  }

  private static Map<String, List<String>> rowsByCase(Path table) throws IOException {
    Map<String, List<String>> rows = new HashMap<>();
    for (List<String> r : CsvTable.parse(Files.readString(table, StandardCharsets.UTF_8), table.toString()).body()) {
      rows.put(r.get(0), r);
    }
    return rows;
  }

  /** A row without its time column. */
  private static List<String> timeless(List<String> r) {
    List<String> c = new ArrayList<>(r);
    c.remove(BatchTable.HEADER.indexOf("seconds"));
    return c;
  }

  @Test
  void sharesIntoOneFolderMergeToTheWholeBatch() throws IOException {
    Path scans = scans(3);
    Path whole = tmp.resolve("whole");
    Path shared = tmp.resolve("shared");
    assertEquals(1, Cli.run(batchArgs(scans, whole).toArray(String[]::new)).exit());
    for (int i = 1; i <= 2; i++) {
      Cli.Run r = Cli.run(batchArgs(scans, shared, "--shard", i + "/2", "--report").toArray(String[]::new));
      assertEquals(i == 1 ? 1 : 0, r.exit(), r.toString()); // broken sorts first: share 1
      assertTrue(Files.exists(shared.resolve(BatchTable.fileName(i, 2))));
      assertTrue(Files.exists(shared.resolve(BatchTable.indexName(i, 2))));
    }
    assertEquals(2, rowsByCase(shared.resolve(BatchTable.fileName(1, 2))).size(), "broken, scan1");
    assertEquals(2, rowsByCase(shared.resolve(BatchTable.fileName(2, 2))).size(), "scan0, scan2");
    Cli.Run m = Cli.run("batch", "--merge", shared.toString(), "--out", shared.toString());
    assertEquals(0, m.exit(), m.toString());
    Map<String, List<String>> merged = rowsByCase(shared.resolve("batch.csv"));
    Map<String, List<String>> expected = rowsByCase(whole.resolve("batch.csv"));
    assertEquals(expected.keySet(), merged.keySet());
    expected.forEach((k, row) -> assertEquals(timeless(row), timeless(merged.get(k)), k));
    assertEquals("1951", merged.get("scan0").get(3));
    assertArrayEquals(Files.readAllBytes(whole.resolve("scan2/cam.npy")), Files.readAllBytes(shared.resolve("scan2/cam.npy")));
    // the cases have reports: the merge also writes one index linking every case's page
    String index = Files.readString(shared.resolve("index.html"));
    for (String c : List.of("scan0", "scan1", "scan2")) {
      assertTrue(index.contains("href=\"" + c + "/report.html\""), c);
    }
    assertTrue(index.contains("broken") && index.contains("class=\"failed\""), "the failed case is listed");

    Cli.Run missing = Cli.run("batch", "--merge", scans.toString(), "--out", tmp.resolve("m").toString());
    assertEquals(1, missing.exit(), missing.toString());
    assertTrue(missing.err().startsWith("error: no batch.csv") && missing.err().lines().count() == 1, missing.err());
    Cli.Run bad = Cli.run(batchArgs(scans, shared, "--shard", "3/2").toArray(String[]::new));
    assertEquals(2, bad.exit(), bad.toString());
    assertTrue(bad.err().contains("--shard must be I/N"), bad.err());
  }

  @Test
  void resumeAfterTheBatchWasKilledRedoesOnlyWhatIsMissing() throws Exception {
    int n = 9;
    Path scans = scans(n);
    Path out = tmp.resolve("out");
    // a real crash: a child JVM running the batch is killed (SIGKILL) once the first case is complete
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
        Main.class.getName()));
    cmd.addAll(batchArgs(scans, out));
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("child.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    List<Path> doneBefore = List.of();
    while (doneBefore.isEmpty() && child.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
      doneBefore = completed(out, n);
    }
    child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    doneBefore = completed(out, n);
    assertTrue(!doneBefore.isEmpty() && doneBefore.size() < n,
        "killed mid-batch: " + doneBefore.size() + " of " + n + " complete\n" + Files.readString(tmp.resolve("child.log")));
    assertTrue(!Files.exists(out.resolve("batch.csv")), "the killed batch wrote no table");
    Map<Path, FileTime> stamps = new HashMap<>();
    for (Path d : doneBefore) {
      stamps.put(d, Files.getLastModifiedTime(d.resolve("summary.json")));
    }
    // a case folder with a damaged summary is redone, not trusted
    Path damaged = out.resolve("scan" + (n - 1));
    Files.createDirectories(damaged);
    Files.writeString(damaged.resolve("summary.json"), "{\"tool\": \"gradcam3d\", \"targ");

    Cli.Run r = Cli.run(batchArgs(scans, out, "--resume").toArray(String[]::new));
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("broken") && r.err().lines().count() == 1, r.err());
    for (Path d : doneBefore) {
      assertEquals(stamps.get(d), Files.getLastModifiedTime(d.resolve("summary.json")), d + " was not redone");
    }
    assertEquals(n, completed(out, n).size());
    Map<String, List<String>> rows = rowsByCase(out.resolve("batch.csv"));
    assertEquals(n + 1, rows.size());
    assertEquals("failed", rows.get("broken").get(1));
    // every case, resumed or explained now, reports what a fresh run reports for its scan
    Path fresh = tmp.resolve("fresh");
    Cli.run(batchArgs(scans, fresh).toArray(String[]::new));
    Map<String, List<String>> expected = rowsByCase(fresh.resolve("batch.csv"));
    expected.forEach((k, row) -> assertEquals(timeless(row), timeless(rows.get(k)), k));
    for (int i = 0; i < n; i++) {
      assertArrayEquals(Files.readAllBytes(fresh.resolve("scan" + i + "/cam.npy")),
          Files.readAllBytes(out.resolve("scan" + i + "/cam.npy")), "scan" + i);
    }
  }

  private static List<Path> completed(Path out, int n) {
    List<Path> done = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Path d = out.resolve("scan" + i);
      if (gradcam3d.output.CompletedResult.read(d).isPresent()) {
        done.add(d);
      }
    }
    return done;
  }
}
