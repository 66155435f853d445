package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad option values exit with 2 (as the help promises), say what is wrong in one line that names
 * the option, point to --help, and write nothing; also the ones that can only be judged once the
 * input is read (slice indices).
 */
class BadOptionValuesCliTest {
  @TempDir
  Path tmp;

  private static final Path MODEL = Fixtures.ROOT.resolve("models/seed_unet3d.onnx");
  private static final Path INPUT = Fixtures.ROOT.resolve("inputs/seed_unet3d.npy"); // [1, 1, 24, 40, 32]

  static Stream<Arguments> explainValues() {
    return Stream.of(
        Arguments.of(List.of("--method", "bogus"), "unknown method"),
        Arguments.of(List.of("--method", "gradcam2"), "gradcam++"),
        Arguments.of(List.of("--method", ""), "--method"),
        Arguments.of(List.of("--score", "bogus"), "logits or probabilities"),
        Arguments.of(List.of("--layout", "abc"), "layout"),
        Arguments.of(List.of("--normalize", "foo"), "normalisation"),
        Arguments.of(List.of("--normalize", "window:5,1"), "normalisation"),
        Arguments.of(List.of("--threads", "0"), "--threads"),
        Arguments.of(List.of("--threads", "-1"), "--threads"),
        Arguments.of(List.of("--threads", "100000"), "--threads"),
        Arguments.of(List.of("--threads", "two"), "not a whole number"),
        Arguments.of(List.of("--batch-size", "0"), "at least 1"),
        Arguments.of(List.of("--batch-size", "-3"), "at least 1"),
        Arguments.of(List.of("--model-output", "-1"), "0 or more"),
        Arguments.of(List.of("--opacity", "2"), "between 0 and 1"),
        Arguments.of(List.of("--opacity", "-0.1"), "between 0 and 1"),
        Arguments.of(List.of("--opacity", "NaN"), "between 0 and 1"),
        Arguments.of(List.of("--opacity", "abc"), "not a number"),
        Arguments.of(List.of("--colormap", "bogus"), "--colormap"),
        Arguments.of(List.of("--slice", "z=-1"), "0 or more"),
        Arguments.of(List.of("--slice", "q=3"), "z, y or x"),
        Arguments.of(List.of("--slice", "z10"), "z=10"),
        Arguments.of(List.of("--slice", "z=abc"), "not a whole number"),
        Arguments.of(List.of("--montage-every", "0"), "at least 1"),
        Arguments.of(List.of("--slice", "z=9999"), "z must be in 0..23"),
        Arguments.of(List.of("--slice", "y=10,x=32"), "x must be in 0..31"),
        // judged once the model or the input is loaded: still the option's value (exit 2)
        Arguments.of(List.of("--target", "1:bogus"), "target '1:bogus'"),
        Arguments.of(List.of("--target", "-1"), "negative"),
        Arguments.of(List.of("--target", "7"), "classes 0..2"),
        Arguments.of(List.of("--target", "1:voxel=99,0,0"), "outside the output grid"),
        Arguments.of(List.of("--layer", "nonexistent"), "unknown layer 'nonexistent'"),
        Arguments.of(List.of("--window", "8,8"), "--window 8,8"),
        Arguments.of(List.of("--window", "3,5,7"), "--window 3,5,7"),
        Arguments.of(List.of("--window", "auto"), "--window auto"),
        Arguments.of(List.of("--method", "saliency"), "no --layer"));
  }

  private void assertBadOption(Cli.Run r, String... words) {
    assertEquals(2, r.exit(), r.toString());
    List<String> lines = r.err().strip().lines().toList();
    assertEquals(2, lines.size(), "a message and a hint:\n" + r.err());
    assertTrue(lines.get(0).startsWith("error: "), r.err());
    assertTrue(lines.get(1).contains("--help"), r.err());
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
    for (String w : words) {
      assertTrue(lines.get(0).contains(w), "expected '" + w + "' in: " + lines.get(0));
    }
    assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
    try (var s = Files.list(tmp)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".out")), "no staging folders");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @ParameterizedTest
  @MethodSource("explainValues")
  void explainRefusesWithExit2(List<String> option, String word) {
    List<String> a = new ArrayList<>(List.of("explain", "--model", MODEL.toString(), "--input", INPUT.toString(),
        "--out", tmp.resolve("out").toString()));
    // the option replaces the default --layer or --target (a saliency run keeps the layer it refuses)
    if (!option.get(0).equals("--layer")) {
      a.addAll(List.of("--layer", "down3"));
    }
    if (!option.get(0).equals("--target")) {
      a.addAll(List.of("--target", "1"));
    }
    a.addAll(option);
    assertBadOption(Cli.run(a.toArray(String[]::new)), word);
  }

  static Stream<Arguments> otherCommands() {
    String m = MODEL.toString();
    return Stream.of(
        Arguments.of(List.of("explain", "--model", m, "--input", INPUT.toString(), "--layer", "down3", "--out", ""),
            "--out"),
        Arguments.of(List.of("explain", "--model", "", "--input", INPUT.toString(), "--layer", "down3", "--out",
            "OUT"), "--model"),
        Arguments.of(List.of("explain", "--model", m, "--input", "", "--layer", "down3", "--out", "OUT"), "--input"),
        Arguments.of(List.of("batch", "--model", m, "--input", INPUT.toString(), "--layer", "down3", "--out", ""),
            "--out"),
        Arguments.of(List.of("batch", "--model", m, "--input", INPUT.toString(), "--layer", "down3", "--out", "OUT",
            "--label-suffix", ""), "--label-suffix"),
        Arguments.of(List.of("batch", "--model", m, "--input", INPUT.toString(), "--layer", "down3", "--out", "OUT",
            "--threads", "0"), "--threads"),
        Arguments.of(List.of("layers", m, "--input-shape", "1,1,-5,40,32"), "positive integers"),
        Arguments.of(List.of("layers", m, "--input-shape", "abc"), "positive integers"),
        Arguments.of(List.of("layers", m, "--input-shape", "1,1"), "dimensions"),
        Arguments.of(List.of("layers", m, "--input-shape", "image=1,1,24,40,32"), "no input 'image'"),
        Arguments.of(List.of("demo", "--out", "OUT", "--case", "4"), "1, 2 or 3"),
        Arguments.of(List.of("demo", "--out", "OUT", "--case", "0"), "at least 1"),
        Arguments.of(List.of("demo", "--out", "OUT", "--method", "bogus"), "unknown method"),
        Arguments.of(List.of("compare", "--model", m, "--input", INPUT.toString(), "--layer", "down3", "--target",
            "1", "--methods", "gradcam,hirescam", "--slice", "z=999", "--out", "OUT"), "z must be in 0..23"),
        Arguments.of(List.of("compare", "--model", m, "--input", INPUT.toString(), "--layer", "down3", "--target",
            "1", "--methods", ",", "--out", "OUT"), "--methods"),
        Arguments.of(List.of("compare", "--model", m, "--input", INPUT.toString(), "--layer", "down3", "--target",
            "1", "--methods", "gradcam,,hirescam", "--out", "OUT"), "--methods"),
        Arguments.of(List.of("compare", "--model", m, "--input", INPUT.toString(), "--layer", "down3", "--target",
            "1", "--methods", "gradcam,gradcam", "--out", "OUT"), "twice"),
        // the second layer is unknown: refused before the first pair is computed, nothing written
        Arguments.of(List.of("compare", "--model", m, "--input", INPUT.toString(), "--layer", "down3", "--layer",
            "nonexistent", "--target", "1", "--methods", "gradcam,hirescam", "--out", "OUT"), "unknown layer"),
        Arguments.of(List.of("evaluate", "--model", m, "--input", INPUT.toString(), "--layer", "down3", "--target",
            "1", "--steps", "2147483647", "--out", "OUT"), "--steps"),
        Arguments.of(List.of("bench", "--model", m, "--input", INPUT.toString(), "--layer", "down3", "--repeat", "0"),
            "at least 1"));
  }

  @ParameterizedTest
  @MethodSource("otherCommands")
  void otherCommandsRefuseWithExit2(List<String> args, String word) {
    String[] a = args.stream().map(s -> s.equals("OUT") ? tmp.resolve("out").toString() : s).toArray(String[]::new);
    assertBadOption(Cli.run(a), word);
    assertFalse(Arrays.asList(a).contains("") && Files.exists(Path.of("summary.json")), "nothing in the working folder");
  }
}
