package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.onnx.ModelIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --export-graph (and optimize's OUT.onnx) never overwrite an input, an existing file without
 * --force, a folder, or a file in a result folder: refused with exit 2 before any work, nothing
 * written, the input's bytes unchanged.
 */
class ExportGraphSafetyCliTest {
  private static final Path MODEL = Path.of("src/test/resources/fixtures/models/seed_unet3d.onnx");
  private static final Path INPUT = Path.of("src/test/resources/fixtures/inputs/seed_unet3d.npy");

  private static Cli.Run explain(Path model, Path input, Path out, String... more) {
    List<String> args = new ArrayList<>(List.of("explain", "--model", model.toString(), "--input", input.toString(),
        "--layer", "down3", "--target", "2", "--threads", "1", "--no-pictures", "--no-report", "--out", out.toString()));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  @Test
  void theModelIsNeverOverwrittenWhateverItsSpelling(@TempDir Path tmp) throws Exception {
    Path model = Files.copy(MODEL, tmp.resolve("m.onnx"));
    Path input = Files.copy(INPUT, tmp.resolve("x.npy"));
    Files.createDirectories(tmp.resolve("sub"));
    Path link = Files.createSymbolicLink(tmp.resolve("link.onnx"), model);
    byte[] before = Files.readAllBytes(model);
    Path out = tmp.resolve("out");
    for (Path spelling : List.of(model, model.toAbsolutePath(), tmp.resolve("./m.onnx"), tmp.resolve("sub/../m.onnx"),
        link)) {
      Cli.Run r = explain(model, input, out, "--export-graph", spelling.toString());
      assertEquals(2, r.exit(), spelling + ": " + r);
      assertTrue(r.err().contains("is an input of this run"), r.err());
      assertFalse(r.err().contains("\tat "), "no stack trace");
      // even --force never replaces an input
      assertEquals(2, explain(model, input, out, "--export-graph", spelling.toString(), "--force").exit());
    }
    // the model named through the link, the export named as the link's target
    assertEquals(2, explain(link, input, out, "--export-graph", model.toString()).exit());
    assertArrayEquals(before, Files.readAllBytes(model), "the model is unchanged");
    assertTrue(Files.isSymbolicLink(link));
    assertFalse(Files.exists(out), "nothing was written");
  }

  @Test
  void inputsMasksAndLabelsAreRefusedToo(@TempDir Path tmp) throws Exception {
    Path model = Files.copy(MODEL, tmp.resolve("m.onnx"));
    Path input = Files.copy(INPUT, tmp.resolve("x.npy"));
    Path mask = Files.copy(INPUT, tmp.resolve("mask.onnx"));
    Cli.Run r = explain(model, input, tmp.resolve("out"), "--export-graph", tmp.resolve("mask.onnx").toString(),
        "--target", "2:mask=" + mask);
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("is an input of this run"), r.err());
  }

  @Test
  void existingFilesFoldersAndResultFoldersAreRefused(@TempDir Path tmp) throws Exception {
    Path model = Files.copy(MODEL, tmp.resolve("m.onnx"));
    Path input = Files.copy(INPUT, tmp.resolve("x.npy"));
    Path existing = Files.writeString(tmp.resolve("old.onnx"), "keep me");
    Cli.Run r = explain(model, input, tmp.resolve("out"), "--export-graph", existing.toString());
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("exists; add --force"), r.err());
    assertEquals("keep me", Files.readString(existing));

    Path folder = Files.createDirectories(tmp.resolve("dir.onnx"));
    assertEquals(2, explain(model, input, tmp.resolve("out"), "--export-graph", folder.toString()).exit());

    // inside --out (replaced by the result) and inside an earlier result folder
    Cli.Run first = explain(model, input, tmp.resolve("earlier"));
    assertEquals(0, first.exit(), first.toString());
    Cli.Run inOut = explain(model, input, tmp.resolve("out"), "--export-graph", tmp.resolve("out/g.onnx").toString());
    assertEquals(2, inOut.exit(), inOut.toString());
    Cli.Run inOther = explain(model, input, tmp.resolve("out"), "--export-graph", tmp.resolve("earlier/g.onnx").toString());
    assertEquals(2, inOther.exit(), inOther.toString());
    assertTrue(inOther.err().contains("result folder"), inOther.err());
    assertFalse(Files.exists(tmp.resolve("out")));
    assertFalse(Files.exists(tmp.resolve("earlier/g.onnx")));

    // --force replaces an existing file that is not an input, atomically (no partial files left)
    Cli.Run forced = explain(model, input, tmp.resolve("out"), "--export-graph", existing.toString(), "--force");
    assertEquals(0, forced.exit(), forced.toString());
    assertTrue(ModelIO.read(existing).getGraph().getNodeCount() > 0);
    try (var files = Files.list(tmp)) {
      assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".partial")), "no temporary files left");
    }
  }

  @Test
  void optimizeNeverOverwritesItsInput(@TempDir Path tmp) throws Exception {
    Path model = Files.copy(MODEL, tmp.resolve("m.onnx"));
    byte[] before = Files.readAllBytes(model);
    Cli.Run r = Cli.run("optimize", model.toString(), tmp.resolve("./m.onnx").toString(), "--input-shape", "1,1,32,32,32");
    assertEquals(2, r.exit(), r.toString());
    assertArrayEquals(before, Files.readAllBytes(model));
  }
}
