package gradcam3d.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSV formula injection (OWASP): a cell a spreadsheet would read as a formula (starting with
 * = + - @, a tab or a carriage return) is written with a leading apostrophe; numbers stay numbers;
 * reading our own tables back gives the original text.
 */
class CsvFormulaTest {
  @TempDir
  Path tmp;

  private static final List<String> FORMULAS = List.of("=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3",
      "@SUM(A1)", "\tcmd", "\rcmd", "'already quoted", "=1,2");

  @Test
  void formulaCellsArePrefixedAndReadBack() {
    CsvTable t = new CsvTable(List.of("cell"));
    FORMULAS.forEach(f -> t.add(List.of(f)));
    String text = t.text();
    for (String line : CsvTable.parse(text, "raw").body().stream().map(r -> r.get(0)).toList()) {
      assertFalse(line.isEmpty());
    }
    // every written cell starts (after an optional opening quote) with the apostrophe
    List<String> records = List.of(text.split("\r\n(?=[^\r\n]|$)"));
    for (String r : records.subList(1, records.size())) {
      String cell = r.startsWith("\"") ? r.substring(1) : r;
      assertTrue(cell.startsWith("'"), "not neutralised: " + r);
    }
    assertEquals(FORMULAS, CsvTable.parse(text, "t").body().stream().map(r -> r.get(0)).toList(), "round trip");
  }

  @Test
  void numbersAndPlainTextAreWrittenAsTheyAre() {
    CsvTable t = new CsvTable(List.of("a", "b", "c", "d", "e"));
    t.add(List.of("-0.5", "-1.25e-07", "-12", "scan-1", "plain"));
    assertEquals("a,b,c,d,e\r\n-0.5,-1.25e-07,-12,scan-1,plain\r\n", t.text());
  }

  @Test
  void batchTablesAndTheirMergeNeutraliseFormulas() throws IOException {
    BatchTable b = new BatchTable();
    b.failed("-case", "=HYPERLINK(\"http://evil\",\"open\") is not a volume file", 0.5);
    Path shard = tmp.resolve("res").resolve(BatchTable.FILE);
    Files.createDirectories(shard.getParent());
    b.write(shard);
    String text = Files.readString(shard, StandardCharsets.UTF_8);
    assertTrue(text.contains("'-case,failed") && text.contains("\"'=HYPERLINK("), text);
    Path merged = tmp.resolve("merged");
    assertEquals(1, BatchTable.merge(List.of(shard.getParent()), merged));
    String m = Files.readString(merged.resolve(BatchTable.FILE), StandardCharsets.UTF_8);
    assertTrue(m.contains("\"'=HYPERLINK("), m);
    assertTrue(m.contains("../res/-case,failed"), "the case folder is resolved from the unescaped name: " + m);
  }
}
