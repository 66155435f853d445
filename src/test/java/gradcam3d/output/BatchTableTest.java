package gradcam3d.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchTableTest {
  @TempDir
  Path tmp;

  @Test
  void csvRoundTripsQuotesCommasAndLineBreaks() {
    CsvTable t = new CsvTable(List.of("a", "b", "c"));
    t.add(List.of("plain", "with,comma", "say \"hi\""));
    t.add(List.of("two\r\nlines", "", "lf\nonly"));
    String text = t.text();
    assertEquals("a,b,c\r\nplain,\"with,comma\",\"say \"\"hi\"\"\"\r\n\"two\r\nlines\",,\"lf\nonly\"\r\n", text);
    CsvTable back = CsvTable.parse(text, "t.csv");
    assertEquals(t.header(), back.header());
    assertEquals(t.body(), back.body());
    assertEquals(List.of(List.of("1", "2")), CsvTable.parse("x,y\n1,2", "lf.csv").body(), "LF and no final break");
    assertThrows(Gradcam3dException.class, () -> CsvTable.parse("x,y\r\n\"1,2\r\n", "open.csv"));
    assertThrows(Gradcam3dException.class, () -> CsvTable.parse("x,y\r\n1\r\n", "short.csv"));
  }

  private static void table(Path file, List<List<String>> rows) throws IOException {
    CsvTable t = new CsvTable(BatchTable.HEADER);
    rows.forEach(t::add);
    Files.createDirectories(file.getParent());
    t.write(file);
  }

  private static List<String> row(String name, String status, String error) {
    return List.of(name, status, "1", "10", "2.5", "", "", "0.10", error);
  }

  @Test
  void mergeJoinsSharesOfOneFolderAndOtherFoldersSortedByCase() throws IOException {
    Path results = tmp.resolve("results");
    table(results.resolve(BatchTable.fileName(1, 2)), List.of(row("c", "ok", ""), row("a", "failed", "bad, \"x\"")));
    table(results.resolve(BatchTable.fileName(2, 2)), List.of(row("b", "ok", "")));
    table(tmp.resolve("site2/batch.csv"), List.of(row("a", "ok", "")));
    assertEquals(4, BatchTable.merge(List.of(results, tmp.resolve("site2")), results));
    CsvTable merged = CsvTable.parse(Files.readString(results.resolve("batch.csv"), StandardCharsets.UTF_8), "m");
    assertEquals(BatchTable.HEADER, merged.header());
    assertEquals(List.of(row("../site2/a", "ok", ""), row("a", "failed", "bad, \"x\""), row("b", "ok", ""),
        row("c", "ok", "")), merged.body());
    // merging again ignores the merged table itself
    assertEquals(4, BatchTable.merge(List.of(results, tmp.resolve("site2")), results));
  }

  @Test
  void mergeRefusesAMissingShareADuplicateCaseAndForeignTables() throws IOException {
    Path results = tmp.resolve("results");
    table(results.resolve(BatchTable.fileName(1, 3)), List.of(row("a", "ok", "")));
    table(results.resolve(BatchTable.fileName(3, 3)), List.of(row("c", "ok", "")));
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> BatchTable.merge(List.of(results),
        tmp.resolve("m")));
    assertTrue(e.getMessage().startsWith("share 2 of 3 is missing"), e.getMessage());
    // the same case in two shares with different rows (the same row twice is one row: merging is idempotent)
    table(results.resolve(BatchTable.fileName(2, 3)), List.of(row("a", "failed", "later")));
    e = assertThrows(Gradcam3dException.class, () -> BatchTable.merge(List.of(results), tmp.resolve("m")));
    assertTrue(e.getMessage().contains("case ../results/a is listed by two tables"), e.getMessage());
    Path foreign = tmp.resolve("foreign");
    Files.createDirectories(foreign);
    Files.writeString(foreign.resolve("batch.csv"), "x,y\r\n1,2\r\n");
    e = assertThrows(Gradcam3dException.class, () -> BatchTable.merge(List.of(foreign), tmp.resolve("m")));
    assertTrue(e.getMessage().contains("is not a gradcam3d batch table"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("m/batch.csv")), "nothing written after a refusal");
  }

  @Test
  void completedResultNeedsAValidSummaryListingFilesThatExist() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("case"));
    String summary = "{\"tool\": \"gradcam3d\", \"targets\": [{\"description\": \"class 2\", \"class\": 2, \"region_voxels\": 1951, \"value\": 6257.5}],"
        + " \"label\": {\"cam_mass_inside_label\": 0.58, \"label_share_of_volume\": 0.02},"
        + " \"timings\": {\"total_ms\": 1500.0}, \"files\": [\"cam.npy\", \"summary.json\"]}";
    Files.writeString(dir.resolve("summary.json"), summary);
    assertEquals(Optional.empty(), CompletedResult.read(dir), "cam.npy is missing");
    Files.write(dir.resolve("cam.npy"), new byte[] {1});
    assertEquals(Optional.of(new CompletedResult("class 2", 2, 1951, 6257.5, 0.58, 0.02, 1500.0)), CompletedResult.read(dir));
    Files.writeString(dir.resolve("summary.json"), summary.substring(0, summary.length() / 2));
    assertEquals(Optional.empty(), CompletedResult.read(dir), "a truncated summary");
    Files.writeString(dir.resolve("summary.json"), summary.replace("gradcam3d", "other"));
    assertEquals(Optional.empty(), CompletedResult.read(dir), "another tool's summary");
    assertEquals(Optional.empty(), CompletedResult.read(tmp.resolve("nothing")));
  }
}
