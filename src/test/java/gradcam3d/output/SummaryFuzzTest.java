package gradcam3d.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.report.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded mutator (as {@link gradcam3d.ReaderFuzzTest}) of what --resume and --merge read: a
 * case's summary.json (bit flips, truncations, duplicated and nested brackets, huge numbers,
 * edited values of the fields resume trusts: files, settings, targets) and batch tables. The
 * summary check must answer complete or incomplete with a reason, never throw; the merge must
 * give a table or one one-line {@link Gradcam3dException}; each case within {@link #MAX_CASE_MILLIS}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SummaryFuzzTest {
  private static final int CASES = 1000;
  private static final long SEED = 20261207L;
  private static final long MAX_CASE_MILLIS = 2000;

  @TempDir
  static Path tmp;

  private static Path caseDir;
  private static String validSummary;
  private static BatchSettings settings;

  @BeforeAll
  static void seeds() throws IOException {
    caseDir = Files.createDirectories(tmp.resolve("case"));
    Files.write(caseDir.resolve("cam.npy"), new byte[] {1});
    Files.write(caseDir.resolve("cam.nii.gz"), new byte[] {2});
    settings = new BatchSettings(Map.of("model_fingerprint", "10-abc-def", "method", "gradcam", "target", "1"));
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("tool", "gradcam3d");
    s.put("method", "gradcam");
    s.put("targets", List.of(Map.of("sample", 0, "target", "1", "description", "class 1", "class", 1,
        "region_voxels", 123, "value", 4.5)));
    s.put("label", Map.of("file", "l.nii.gz", "class", 1, "cam_mass_inside_label", 0.5,
        "label_share_of_volume", 0.1));
    s.put("timings", Map.of("total_ms", 1234.5));
    s.put(BatchSettings.KEY, settings.values());
    s.put("files", List.of("cam.npy", "cam.nii.gz", "summary.json"));
    validSummary = Json.write(s);
    Files.writeString(caseDir.resolve("summary.json"), validSummary);
    assertTrue(CompletedResult.check(caseDir, settings).complete(), "the seed is complete");
  }

  private static final String[] TOKENS = {"[", "]", "{", "}", "\"", ",", ":", "null", "1e999999", "-0",
      "99999999999999999999999", "\\u", "\\", "../", "/etc/passwd", "\u0000", "true", "\"files\"", "NaN"};

  private static String mutate(Random r, String seed) {
    StringBuilder b = new StringBuilder(seed);
    int edits = 1 + r.nextInt(4);
    for (int e = 0; e < edits && b.length() > 0; e++) {
      int at = r.nextInt(b.length());
      switch (r.nextInt(7)) {
        case 0 -> b.setCharAt(at, (char) (b.charAt(at) ^ (1 << r.nextInt(7))));
        case 1 -> b.setLength(at);
        case 2 -> b.insert(at, TOKENS[r.nextInt(TOKENS.length)]);
        case 3 -> b.insert(at, (r.nextBoolean() ? "[" : "{\"a\":").repeat(1 + r.nextInt(5_000)));
        case 4 -> b.delete(at, Math.min(b.length(), at + 1 + r.nextInt(20)));
        case 5 -> {
          int q = b.indexOf("\"", at);
          if (q >= 0) {
            b.insert(q + 1, "../".repeat(1 + r.nextInt(8)));
          }
        }
        default -> b.insert(at, b.substring(at, Math.min(b.length(), at + 1 + r.nextInt(200))));
      }
    }
    return b.toString();
  }

  @Test
  void theSummaryCheckNeverThrows() throws IOException {
    List<String> problems = new ArrayList<>();
    int complete = 0;
    long slowest = 0;
    for (int c = 0; c < CASES; c++) {
      Random r = new Random(SEED * 31 + c);
      Files.writeString(caseDir.resolve("summary.json"), mutate(r, validSummary), StandardCharsets.UTF_8);
      long t0 = System.nanoTime();
      try {
        CompletedResult.Check k = CompletedResult.check(caseDir, settings);
        if (k.complete()) {
          complete++;
        } else if (k.reason() == null || k.reason().isBlank() || k.reason().contains("\n")) {
          problems.add("case " + c + ": no one-line reason: " + k.reason());
        }
      } catch (Throwable e) {
        problems.add("case " + c + ": " + e);
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      slowest = Math.max(slowest, ms);
      if (ms > MAX_CASE_MILLIS) {
        problems.add("case " + c + ": " + ms + " ms");
      }
    }
    System.out.printf("summary.json fuzz: %d cases, %d still complete, slowest %d ms%n", CASES, complete, slowest);
    assertEquals(List.of(), problems.subList(0, Math.min(10, problems.size())));
    assertTrue(complete < CASES, "mutations do reject");
  }

  private static String table() {
    CsvTable t = new CsvTable(BatchTable.HEADER);
    t.add(List.of("case", "ok", "1", "10", "2.5", "", "", "0.10", ""));
    t.add(List.of("=other", "failed", "", "", "", "", "", "0.20", "=HYPERLINK(\"x\")"));
    return t.text();
  }

  @Test
  void mergingDamagedTablesGivesATableOrOneLine() throws IOException {
    List<String> problems = new ArrayList<>();
    String seed = table();
    int merged = 0;
    for (int c = 0; c < CASES / 3; c++) {
      Random r = new Random(SEED * 17 + c);
      Path dir = Files.createDirectories(tmp.resolve("m" + c));
      Files.writeString(dir.resolve(r.nextBoolean() ? BatchTable.FILE : BatchTable.fileName(1, 1 + r.nextInt(2))),
          mutate(r, seed), StandardCharsets.UTF_8);
      long t0 = System.nanoTime();
      try {
        BatchTable.merge(List.of(dir), dir.resolve("out"));
        merged++;
        String out = Files.readString(dir.resolve("out").resolve(BatchTable.FILE), StandardCharsets.UTF_8);
        for (List<String> row : CsvTable.parse(out, "merged").body()) {
          for (String cell : row) {
            // as written (the parser gives back the text before neutralising)
            String written = CsvTable.field(cell);
            String first = written.startsWith("\"") ? written.substring(1) : written;
            if (!first.isEmpty() && "=+-@\t\r".indexOf(first.charAt(0)) >= 0 && !first.matches("-[0-9.eE+-]+\"?")) {
              problems.add("case " + c + ": formula cell " + cell);
            }
          }
        }
      } catch (Gradcam3dException e) {
        if (e.getMessage() == null || e.getMessage().contains("\n")) {
          problems.add("case " + c + ": not one line: " + e.getMessage());
        }
      } catch (Throwable e) {
        problems.add("case " + c + ": " + e);
      }
      if ((System.nanoTime() - t0) / 1_000_000 > MAX_CASE_MILLIS) {
        problems.add("case " + c + ": slow");
      }
    }
    System.out.printf("batch table fuzz: %d cases, %d merged%n", CASES / 3, merged);
    assertEquals(List.of(), problems.subList(0, Math.min(10, problems.size())));
  }
}
