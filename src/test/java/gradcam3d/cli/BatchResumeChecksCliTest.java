package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.output.BatchTable;
import gradcam3d.output.CsvTable;
import gradcam3d.report.Json;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What --resume accepts as done: only a case whose summary.json records the same model, layers,
 * method, target and other result-affecting options, lists regular files inside its own folder
 * that exist, and can be read within bounds; anything else is redone (or, with --resume strict,
 * changed settings are refused), and the command says how many were redone and why. Also: a
 * merged folder merges again, into another folder.
 */
class BatchResumeChecksCliTest {
  private static final Path DEMO = Path.of("src/main/resources/gradcam3d/demo");

  @TempDir
  Path tmp;

  private Path scans(int n) throws IOException {
    Path scans = Files.createDirectories(tmp.resolve("scans"));
    for (int i = 0; i < n; i++) {
      Files.copy(DEMO.resolve("demo_case" + (i % 3 + 1) + ".nii.gz"), scans.resolve("scan" + i + ".nii.gz"));
    }
    return scans;
  }

  private static String[] batch(Path scans, Path out, String... more) {
    List<String> a = new ArrayList<>(List.of("batch", "--model", DEMO.resolve("demo_unet3d.onnx").toString(),
        "--inputs-dir", scans.toString(), "--layer", "up2", "--out", out.toString(), "--threads", "1",
        "--no-pictures"));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> summary(Path caseDir) throws IOException {
    return (Map<String, Object>) Json.parse(Files.readString(caseDir.resolve("summary.json")));
  }

  private static FileTime stamp(Path caseDir) throws IOException {
    return Files.getLastModifiedTime(caseDir.resolve("summary.json"));
  }

  @Test
  void changedSettingsAreRedoneOrRefusedWhenStrict() throws IOException {
    Path scans = scans(2);
    Path out = tmp.resolve("out");
    assertEquals(0, Cli.run(batch(scans, out, "--target", "1")).exit());
    Cli.Run same = Cli.run(batch(scans, out, "--target", "1", "--resume"));
    assertEquals(0, same.exit(), same.toString());
    assertTrue(same.out().contains("2 completed earlier"), same.out());

    FileTime before = stamp(out.resolve("scan0"));
    Cli.Run strict = Cli.run(batch(scans, out, "--target", "2", "--method", "hirescam", "--resume", "strict"));
    assertEquals(2, strict.exit(), strict.toString());
    assertTrue(strict.err().contains("--resume strict") && strict.err().contains("method")
        && strict.err().contains("target"), strict.err());
    assertEquals(before, stamp(out.resolve("scan0")), "strict changed nothing");

    Cli.Run changed = Cli.run(batch(scans, out, "--target", "2", "--method", "hirescam", "--resume"));
    assertEquals(0, changed.exit(), changed.toString());
    assertFalse(changed.out().contains("completed earlier"), changed.out());
    assertTrue(changed.out().contains("2 redone") && changed.out().contains("method")
        && changed.out().contains("target"), changed.out());
    assertEquals("hirescam", summary(out.resolve("scan0")).get("method"));
    List<List<String>> rows = CsvTable.parse(Files.readString(out.resolve("batch.csv")), "t").body();
    assertEquals("2", rows.get(0).get(BatchTable.HEADER.indexOf("class")));

    // a changed model file is another model, whatever its name
    Path model = tmp.resolve("model.onnx");
    Files.copy(DEMO.resolve("demo_unet3d.onnx"), model);
    String[] withCopy = batch(scans, out, "--target", "2", "--method", "hirescam", "--resume");
    withCopy[2] = model.toString();
    Cli.Run copy = Cli.run(withCopy);
    assertTrue(copy.out().contains("2 completed earlier"), "the same bytes: " + copy.out());
    byte[] bytes = Files.readAllBytes(model);
    Files.write(model, java.util.Arrays.copyOf(bytes, bytes.length)); // unchanged bytes, new time
    gradcam3d.onnx.proto.Onnx.ModelProto m = gradcam3d.onnx.ModelIO.read(model);
    gradcam3d.onnx.ModelIO.write(m.toBuilder().setDocString("retrained").build(), model, Long.MAX_VALUE);
    Cli.Run other = Cli.run(withCopy);
    assertTrue(other.out().contains("2 redone") && other.out().contains("model"), other.out());
  }

  @Test
  void summariesThatPointOutsideOrAreLinksOrAreUnreadableMakeTheirCaseIncomplete() throws IOException {
    Path scans = scans(5);
    Path out = tmp.resolve("out");
    assertEquals(0, Cli.run(batch(scans, out, "--target", "1", "--quiet")).exit());
    // 0: lists a file outside its folder (that exists) and its own cam.npy is gone
    Path s0 = out.resolve("scan0");
    Map<String, Object> sum = summary(s0);
    @SuppressWarnings("unchecked")
    List<Object> files = new ArrayList<>((List<Object>) sum.get("files"));
    files.add("../../scans/scan1.nii.gz");
    files.add("../../../../../../../../etc/passwd");
    sum.put("files", files);
    Files.writeString(s0.resolve("summary.json"), Json.write(sum));
    Files.delete(s0.resolve("cam.npy"));
    Files.createSymbolicLink(s0.resolve("cam.npy"), out.resolve("scan1/cam.npy"));
    // 1: its summary.json is a link to another case's
    Path s1 = out.resolve("scan1");
    Files.delete(s1.resolve("summary.json"));
    Files.createSymbolicLink(s1.resolve("summary.json"), out.resolve("scan4/summary.json"));
    // 2: nested 200,000 deep; 3: 3 GB (sparse)
    Files.writeString(out.resolve("scan2/summary.json"), "[".repeat(200_000));
    try (RandomAccessFile f = new RandomAccessFile(out.resolve("scan3/summary.json").toFile(), "rw")) {
      f.setLength(3L << 30);
    }
    FileTime kept = stamp(out.resolve("scan4"));

    Cli.Run r = Cli.run(batch(scans, out, "--target", "1", "--resume"));
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("5 of 5 cases explained") && r.out().contains("1 completed earlier")
        && r.out().contains("4 redone"), r.out());
    assertEquals(kept, stamp(out.resolve("scan4")));
    for (int i = 0; i < 4; i++) {
      Path d = out.resolve("scan" + i);
      assertFalse(Files.isSymbolicLink(d.resolve("summary.json")) || Files.isSymbolicLink(d.resolve("cam.npy")), d.toString());
      assertTrue(Files.size(d.resolve("summary.json")) < 1 << 20);
      assertEquals(List.of(), ((List<?>) summary(d).get("files")).stream()
          .filter(f -> f.toString().contains("..")).toList());
    }
  }

  @Test
  void aMergedFolderMergesAgainIntoAnotherFolder() throws IOException {
    Path scans = scans(3);
    Path shares = tmp.resolve("shares");
    for (int i = 1; i <= 2; i++) {
      Cli.run(batch(scans, shares, "--target", "1", "--quiet", "--shard", i + "/2"));
    }
    Cli.Run inPlace = Cli.run("batch", "--merge", shares.toString(), "--out", shares.toString());
    assertEquals(0, inPlace.exit(), inPlace.toString());
    Path elsewhere = tmp.resolve("elsewhere");
    Cli.Run again = Cli.run("batch", "--merge", shares.toString(), "--out", elsewhere.toString());
    assertEquals(0, again.exit(), again.toString());
    Cli.Run twice = Cli.run("batch", "--merge", shares.toString(), "--out", elsewhere.toString());
    assertEquals(0, twice.exit(), twice.toString());
    Path third = tmp.resolve("third");
    Cli.Run ofMerged = Cli.run("batch", "--merge", elsewhere.toString(), shares.toString(), "--out", third.toString());
    assertEquals(0, ofMerged.exit(), ofMerged.toString());
    List<String> cases = CsvTable.parse(Files.readString(elsewhere.resolve("batch.csv"), StandardCharsets.UTF_8), "m")
        .body().stream().map(r -> r.get(0)).toList();
    assertEquals(List.of("../shares/scan0", "../shares/scan1", "../shares/scan2"), cases);
    assertEquals(cases, CsvTable.parse(Files.readString(third.resolve("batch.csv"), StandardCharsets.UTF_8), "m")
        .body().stream().map(r -> r.get(0)).toList());
  }
}
