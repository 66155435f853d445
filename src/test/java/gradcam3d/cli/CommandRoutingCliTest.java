package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Only the named subcommand is built; usage, help and unknown names still see all of them. */
class CommandRoutingCliTest {
  private static final String[] COMMANDS = {"layers", "explain", "batch", "evaluate", "compare", "demo", "bench",
      "optimize", "serve", "help"};

  @Test
  void usageListsEveryCommand() {
    Cli.Run r = Cli.run("--help");
    assertEquals(0, r.exit(), r.toString());
    for (String c : COMMANDS) {
      assertTrue(r.out().contains("\n  " + c + " "), c + " missing from\n" + r.out());
    }
    assertTrue(!r.out().contains("batch-merge"), "the hidden merge command stays hidden");
  }

  @Test
  void helpOfACommandAndItsOwnHelpOptionPrintItsUsage() {
    Cli.Run viaHelp = Cli.run("help", "evaluate");
    assertEquals(0, viaHelp.exit(), viaHelp.toString());
    assertTrue(viaHelp.out().startsWith("Usage: gradcam3d evaluate"), viaHelp.out());
    Cli.Run own = Cli.run("evaluate", "--help");
    assertEquals(0, own.exit(), own.toString());
    assertEquals(viaHelp.out(), own.out());
  }

  @Test
  void anUnknownCommandIsABadOption() {
    Cli.Run r = Cli.run("explan", "--model", "m.onnx");
    assertEquals(Main.EXIT_BAD_OPTION, r.exit(), r.toString());
    assertTrue(r.err().contains("'explan'"), r.err());
  }

  @Test
  void theModelNamedOnTheCommandLineIsFoundForReadingAhead() {
    assertEquals(java.nio.file.Path.of("a.onnx"), Main.namedModel(new String[] {"explain", "--out", "o", "--model", "a.onnx"}));
    assertEquals(java.nio.file.Path.of("b.onnx"), Main.namedModel(new String[] {"evaluate", "--model=b.onnx"}));
    assertEquals(null, Main.namedModel(new String[] {"explain", "--model"}));
    assertEquals(null, Main.namedModel(new String[] {"demo"}));
  }

  @Test
  void theInputsNamedOnTheCommandLineAreFoundInOrder() {
    assertEquals(java.util.List.of("t1.nii.gz", "flair.nii.gz", "x.npy"), Main.named(new String[] {"explain",
        "--input", "t1.nii.gz", "--model", "m.onnx", "--input=flair.nii.gz", "--input", "x.npy", "--input"}, "--input"));
    // an option's value is not taken for an option
    assertEquals(java.util.List.of("--input"), Main.named(new String[] {"explain", "--series", "--input"}, "--series"));
    assertEquals(java.util.List.of(), Main.named(new String[] {"explain", "--series", "--input"}, "--input"));
  }

  @Test
  void batchWithMergeIsRoutedToTheMergeCommand() {
    Cli.Run r = Cli.run("batch", "--merge");
    assertEquals(Main.EXIT_BAD_OPTION, r.exit(), r.toString());
    assertTrue(r.err().contains("'--merge'") && r.err().contains("gradcam3d batch-merge --help"), r.err());
  }
}
