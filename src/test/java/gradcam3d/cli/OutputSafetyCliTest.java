package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static gradcam3d.testing.Folders.names;

import gradcam3d.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nothing is written outside --out, no input is overwritten, a result replaces the previous one whole. */
class OutputSafetyCliTest {
  @TempDir
  Path tmp;

  private static final Path MODEL = Fixtures.ROOT.resolve("models/seed_unet3d.onnx");
  private static final Path INPUT = Fixtures.ROOT.resolve("inputs/seed_unet3d.npy");


  @Test
  void batchCaseFoldersStayInsideOut() throws IOException {
    Path cases = Files.createDirectories(tmp.resolve("work/scans"));
    Files.copy(INPUT, cases.resolve("...npy"));
    Files.copy(INPUT, cases.resolve("..npy"));
    Path out = tmp.resolve("work/results");
    Cli.Run r = Cli.run("batch", "--model", MODEL.toString(), "--inputs-dir", cases.toString(), "--layer", "down3",
        "--target", "1", "--out", out.toString(), "--threads", "2", "--no-pictures", "--quiet");
    assertEquals(0, r.exit(), r.toString());
    assertEquals(Set.of("results", "scans"), names(tmp.resolve("work")), "nothing beside --out");
    assertEquals(Set.of("batch.csv", "case", "case-2"), names(out));
    assertTrue(Files.exists(out.resolve("case/cam.npy")) && Files.exists(out.resolve("case-2/cam.npy")));
    assertArrayEquals(Files.readAllBytes(out.resolve("case/cam.npy")), Files.readAllBytes(out.resolve("case-2/cam.npy")));
  }

  @Test
  void refusesAnOutFolderHoldingTheInput() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("dir"));
    Path input = Files.copy(INPUT, dir.resolve("cam.npy"));
    byte[] before = Files.readAllBytes(input);
    Cli.Run r = Cli.run("explain", "--model", MODEL.toString(), "--input", input.toString(), "--layer", "down3",
        "--target", "1", "--out", dir.toString(), "--threads", "2");
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("holds the input"), r.err());
    assertArrayEquals(before, Files.readAllBytes(input), "the input is untouched");
    assertEquals(Set.of("cam.npy"), names(dir));
  }

  @Test
  void aResultReplacesTheEarlierOneWhole() throws IOException {
    Path out = tmp.resolve("out");
    Cli.Run first = Cli.run("explain", "--model", MODEL.toString(), "--input", INPUT.toString(), "--layer",
        "down3", "--target", "1", "--out", out.toString(), "--threads", "2", "--save-tensors", "--quiet");
    assertEquals(0, first.exit(), first.toString());
    assertTrue(Files.exists(out.resolve("activation.npy")));
    Cli.Run second = Cli.run("explain", "--model", MODEL.toString(), "--input", INPUT.toString(), "--layer",
        "down3", "--target", "2", "--out", out.toString(), "--threads", "2", "--no-pictures", "--no-report", "--quiet");
    assertEquals(0, second.exit(), second.toString());
    assertEquals(Set.of("cam.npy", "summary.json"), names(out), "no file of the first run is left");
    assertTrue(Files.readString(out.resolve("summary.json")).contains("\"target\": \"2\"")
        || Files.readString(out.resolve("summary.json")).contains("\"target\":\"2\""));
    assertEquals(Set.of("out"), names(tmp), "no staging folders");
  }

  @Test
  void refusesAFolderOfOtherFiles() throws IOException {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Files.writeString(home.resolve("notes.txt"), "mine");
    Cli.Run r = Cli.run("explain", "--model", MODEL.toString(), "--input", INPUT.toString(), "--layer", "down3",
        "--target", "1", "--out", home.toString(), "--threads", "2");
    assertEquals(1, r.exit(), r.toString());
    assertEquals(List.of("notes.txt"), List.copyOf(names(home)));
    assertFalse(r.err().contains("Exception"), r.err());
  }

  /**
   * Two runs into one --out at the same time (targets 1 and 2): the folder ends up holding one
   * run's files only: its summary names the target whose map cam.npy holds.
   */
  @Test
  void concurrentRunsLeaveOneWholeResult() throws Exception {
    java.util.Map<String, byte[]> reference = new java.util.HashMap<>();
    for (String t : List.of("1", "2")) {
      Path ref = tmp.resolve("ref" + t);
      assertEquals(0, Cli.run("explain", "--model", MODEL.toString(), "--input", INPUT.toString(), "--layer", "down3",
          "--target", t, "--out", ref.toString(), "--threads", "1", "--quiet").exit());
      reference.put(t, Files.readAllBytes(ref.resolve("cam.npy")));
    }
    Path out = tmp.resolve("shared");
    for (int round = 0; round < 2; round++) {
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
      List<java.util.concurrent.Future<Cli.Run>> runs = new java.util.ArrayList<>();
      for (String t : List.of("1", "2")) {
        runs.add(pool.submit(() -> Cli.run("explain", "--model", MODEL.toString(), "--input", INPUT.toString(),
            "--layer", "down3", "--target", t, "--out", out.toString(), "--threads", "1", "--quiet",
            "--no-report")));
      }
      for (var f : runs) {
        assertEquals(0, f.get().exit(), f.get().toString());
      }
      pool.shutdown();
      String summary = Files.readString(out.resolve("summary.json"));
      String target = summary.replaceAll("(?s).*\"target\": ?\"(\\d)\".*", "$1");
      assertArrayEquals(reference.get(target), Files.readAllBytes(out.resolve("cam.npy")),
          "cam.npy belongs to the run whose summary is there (target " + target + ")");
      assertEquals(Set.of("cam.npy", "overlay.png", "montage.png", "summary.json"), names(out));
    }
    assertFalse(names(tmp).stream().anyMatch(n -> n.startsWith(".")), "no staging folders: " + names(tmp));
  }
}
