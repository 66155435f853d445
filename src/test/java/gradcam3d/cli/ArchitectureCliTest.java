package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.testing.Fixtures;
import gradcam3d.volume.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `layers` and `explain` on the issue-15 architectures (src/test/resources/architectures). */
class ArchitectureCliTest {
  @TempDir
  Path tmp;

  private static Path model(String name) {
    return Fixtures.ARCHITECTURES.resolve("models/" + name + ".onnx");
  }

  private static Path input(String name) {
    return Fixtures.ARCHITECTURES.resolve("inputs/" + name + ".npy");
  }

  private static String layers(Fixtures.Case c) {
    String shape = Arrays.stream(Npy.read(c.inputNpy()).shape()).mapToObj(Long::toString)
        .collect(Collectors.joining(","));
    Cli.Run r = Cli.run("layers", c.model().toString(), "--input-shape", shape);
    assertEquals(0, r.exit(), r.toString());
    return r.out();
  }

  /** The table row whose layer column is {@code layer} (or whose notes give it as named_modules name). */
  private static String row(String out, String layer) {
    // "decoder" is element 0 of a module with several: listed as decoder@0
    Matcher m = Pattern.compile("(?m)^(" + Pattern.quote(layer) + "(@0)?\\s+\\[.*|.*\\(named_modules: "
        + Pattern.quote(layer) + "[;)].*)$").matcher(out);
    assertTrue(m.find(), "no row for " + layer + " in:\n" + out);
    return m.group(1);
  }

  @Test
  void layersListsThePytorchNameOfEveryCaseLayerWithItsShape() {
    for (Fixtures.Case c : Fixtures.cases(Fixtures.ARCHITECTURES)) {
      String row = row(layers(c), c.layerSpec());
      List<?> shape = (List<?>) c.raw().get("activation_shape");
      String printed = shape.stream().map(o -> Long.toString(((Number) o).longValue()))
          .collect(Collectors.joining(", ", "[", "]"));
      // token layers print their [B, N, C] shape and the volume they are seen as
      assertTrue(row.contains(c.raw().containsKey("token_grid") ? "tokens seen as " + printed : printed),
          c + ": " + row);
    }
  }

  @Test
  void deepSupervisionElementsAreNumberedAsPytorchReturnsThem() {
    String out = layers(Fixtures.cases(Fixtures.ARCHITECTURES).stream()
        .filter(c -> c.name().startsWith("nnunet_like__decoder")).findFirst().orElseThrow());
    assertTrue(out.matches("(?s).*\\ndecoder@0\\s+\\[1, 3, 16, 16, 16\\]\\s+output0\\n.*"), out);
    assertTrue(out.matches("(?s).*\\ndecoder@1\\s+\\[1, 3, 8, 8, 8\\]\\s+output1\\n.*"), out);
    // the encoder's skip list is consumed inside the model: its numbering is computation order
    assertTrue(out.matches("(?s).*\\nencoder@0 .*\\(element numbers guessed from the order of computation\\)\\n.*"),
        out);
  }

  @Test
  void tokenGridOptionExplainsAndBadGridsFailCleanly() throws IOException {
    Path out = tmp.resolve("out");
    Cli.Run ok = Cli.run("explain", "--model", model("unetr_like").toString(), "--input",
        input("unetr_like").toString(), "--layer", "blocks.0", "--token-grid", "2,3,4", "--target", "1",
        "--out", out.toString());
    assertEquals(0, ok.exit(), ok.toString());
    assertTrue(Files.exists(out.resolve("cam.npy")));
    assertEquals(List.of(1L, 8L, 12L, 16L), Arrays.stream(Npy.read(out.resolve("cam.npy")).shape()).boxed().toList());

    Cli.Run zero = Cli.run("explain", "--model", model("unetr_like").toString(), "--input",
        input("unetr_like").toString(), "--layer", "blocks.0", "--token-grid", "2,0,4", "--target", "1",
        "--out", tmp.resolve("zero").toString());
    assertEquals(2, zero.exit(), zero.toString());
    assertTrue(zero.err().contains("--token-grid") && zero.err().contains("positive sizes"), zero.err());

    Cli.Run wrong = Cli.run("explain", "--model", model("unetr_like").toString(), "--input",
        input("unetr_like").toString(), "--layer", "blocks.0", "--token-grid", "2,2,2", "--target", "1",
        "--out", tmp.resolve("wrong").toString());
    assertEquals(1, wrong.exit(), wrong.toString());
    String err = wrong.err().strip();
    assertTrue(err.startsWith("error: ") && !err.contains("\n") && err.contains("24 tokens")
        && err.contains("8 cells"), err);
    assertTrue(!Files.exists(tmp.resolve("wrong")), "no output after a failure");
  }

  @Test
  void attentionInsideWindowsIsNotATokenSequencePerSample() {
    Cli.Run r = Cli.run("explain", "--model", model("swin_like").toString(), "--input",
        input("swin_like").toString(), "--layer", "layers.0.blocks.0.attn", "--target", "1",
        "--out", tmp.resolve("out").toString());
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("[12, 8, 8]") && r.err().contains("not the batch"), r.err());
  }
}
