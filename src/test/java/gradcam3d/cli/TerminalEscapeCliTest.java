package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.onnx.proto.Onnx.NodeProto;
import gradcam3d.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names from a model or the command line never reach the terminal raw: a module named with
 * escape sequences (clear the screen, set the window title, ring the bell) is printed escaped by
 * every command, in listings, headers and error messages alike.
 */
class TerminalEscapeCliTest {
  private static final String HOSTILE = "evil\u001b[2J\u001b]0;PWN\u0007name";
  private static final Path MODEL = Fixtures.ROOT.resolve("models/seed_unet3d.onnx");
  private static final Path INPUT = Fixtures.ROOT.resolve("inputs/seed_unet3d.npy");

  @TempDir
  Path tmp;

  /** The seed U-Net with its module down3 renamed to the hostile name. */
  private Path hostileModel() throws IOException {
    ModelProto m = ModelIO.read(MODEL);
    ModelProto.Builder b = m.toBuilder();
    for (int i = 0; i < b.getGraph().getNodeCount(); i++) {
      NodeProto n = b.getGraph().getNode(i);
      if (n.getName().startsWith("/down3/")) {
        b.getGraphBuilder().setNode(i, n.toBuilder().setName("/" + HOSTILE + n.getName().substring("/down3".length())));
      }
    }
    Path file = tmp.resolve("hostile.onnx");
    ModelIO.write(b.build(), file, Long.MAX_VALUE);
    return file;
  }

  private static void assertNoControlCharacters(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean allowed = c == '\n' || c == '\t' || (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n');
      assertFalse(!allowed && (c < 0x20 || (c >= 0x7f && c < 0xa0)),
          "control character U+" + Integer.toHexString(c) + " at " + i + " in:\n" + text);
    }
  }

  @Test
  void theConsoleTextEscapesControlCharacters() {
    assertEquals("aevil\\x1b[2J\\x1b]0;PWN\\x07nameb", ConsoleText.escape("a" + HOSTILE + "b"));
    assertEquals("tab\tok\nline\r\n", ConsoleText.escape("tab\tok\nline\r\n"));
    assertEquals("\\x0dover \\x7f \\u009b \\u202e", ConsoleText.escape("\rover \u007f \u009b \u202e"));
    StringWriter s = new StringWriter();
    try (PrintWriter w = ConsoleText.printWriter(s)) {
      w.print("x\u001b");
      w.print("[31m\r");
      w.print("\ny\r");
      w.print("z");
    }
    assertEquals("x\\x1b[31m\r\ny\\x0dz", s.toString());
  }

  @Test
  void layersPrintsHostileModuleNamesEscaped() throws IOException {
    Cli.Run r = Cli.run("layers", hostileModel().toString());
    assertEquals(0, r.exit(), r.toString());
    assertNoControlCharacters(r.out());
    assertTrue(r.out().contains("\\x1b[2J\\x1b]0;PWN\\x07"), r.out());
  }

  @Test
  void explainHeaderAndErrorsPrintHostileNamesEscaped() throws IOException {
    Path model = hostileModel();
    Cli.Run ok = Cli.run("explain", "--model", model.toString(), "--input", INPUT.toString(), "--layer", HOSTILE,
        "--target", "1", "--threads", "1", "--no-pictures", "--out", tmp.resolve("out").toString());
    assertEquals(0, ok.exit(), ok.toString());
    assertTrue(ok.out().contains("\\x1b[2J"), ok.out());
    assertNoControlCharacters(ok.out());
    assertNoControlCharacters(ok.err());
    Cli.Run bad = Cli.run("explain", "--model", model.toString(), "--input", INPUT.toString(), "--layer",
        HOSTILE + "x", "--target", "1", "--out", tmp.resolve("bad").toString());
    assertEquals(2, bad.exit(), bad.toString());
    assertTrue(bad.err().contains("\\x1b]0;PWN\\x07namex"), bad.err());
    assertNoControlCharacters(bad.err());
  }
}
