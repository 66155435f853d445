package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.OptionValueException;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.pipeline.Settings;
import gradcam3d.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/**
 * --layer and --target become typed values at the command line's edge: a layer with its token
 * grid ({@code NAME:grid=Z,Y,X}, or --token-grid for every layer without one), a target parsed
 * once, a dataset.json label name resolved to its class once the plans are read.
 */
class LayerAndTargetOptionsTest {
  @TempDir
  Path tmp;

  private static ExplainCommand explain(String... extra) {
    ExplainCommand cmd = new ExplainCommand();
    List<String> args = new ArrayList<>(List.of("--model", "model.onnx", "--input", "scan.nii.gz", "--out", "out"));
    args.addAll(List.of(extra));
    new CommandLine(cmd).parseArgs(args.toArray(String[]::new));
    return cmd;
  }

  private static Settings settings(String... extra) {
    return explain(extra).explanation.settings(false, Progress.NONE);
  }

  @Test
  void layerTextsBecomeNamesWithTheirGrids() {
    Converters.LayerSpecText c = new Converters.LayerSpecText();
    LayerSpec plain = c.convert("model.1.submodule@2");
    assertEquals("model.1.submodule@2", plain.name());
    assertNull(plain.tokenGrid());
    LayerSpec token = c.convert("blocks.3:grid=6,7,8");
    assertEquals("blocks.3", token.name());
    assertArrayEquals(new long[] {6, 7, 8}, token.tokenGrid());
    // the text form is the command line's spelling (reports, program cache keys)
    assertEquals("blocks.3:grid=6,7,8", token.toString());
    assertEquals(new LayerSpec("blocks.3", new long[] {6, 7, 8}), token);
    assertArrayEquals(new long[] {36}, c.convert("t:grid=36").tokenGrid());
    for (String bad : List.of("blocks.3:grid=", "blocks.3:grid=a,b,c", "blocks.3:grid=6,0,6", "blocks.3:grid=6,,6",
        "blocks.3:grid=6, 6,6", "blocks.3:grid=-6,6,6", "blocks.3:grid=99999999999999999999,1,1")) {
      TypeConversionException e = assertThrows(TypeConversionException.class, () -> c.convert(bad), bad);
      assertEquals("the token grid in '" + bad + "' must be positive sizes like 6,6,6", e.getMessage());
    }
  }

  @Test
  void tokenGridGoesToEveryLayerWithoutItsOwn() {
    Settings s = settings("--layer", "blocks.0", "--layer", "blocks.1:grid=1,2,3", "--token-grid", "4,5,6");
    assertEquals(List.of(new LayerSpec("blocks.0", new long[] {4, 5, 6}), new LayerSpec("blocks.1", new long[] {1, 2, 3})),
        s.layers());
    assertEquals(List.of(LayerSpec.named("down3")), settings("--layer", "down3").layers());
    assertEquals("gradcam token-grid=4,5,6", explain("--layer", "a", "--token-grid", "4,5,6").explanation
        .methodDescription());
  }

  @Test
  void targetsAreParsedOnce() {
    Settings s = settings("--layer", "down3", "--target", "1:all", "--target", "argmax", "--target", "2:box=0,0,0,2,2,2");
    assertEquals(List.of("1:all", "argmax", "2:box=0,0,0,2,2,2"), s.targets().stream().map(Target::spec).toList());
    assertEquals(1, s.targets().get(0).classIndex());
    assertTrue(settings("--layer", "down3").targets().isEmpty());
  }

  @Test
  void labelNamesAreResolvedWithTheDatasetJson() throws Exception {
    Path plans = Path.of("src/test/resources/nnunet/plans.json");
    Settings s = settings("--layer", "head", "--nnunet-plans", plans.toString(), "--target", "lesion:all",
        "--target", "lesion");
    assertEquals(List.of("1:all", "1"), s.targets().stream().map(Target::spec).toList());
    // a name the dataset.json does not have fails as any target without a class number (exit 2)
    OptionValueException e = assertThrows(OptionValueException.class,
        () -> settings("--layer", "head", "--nnunet-plans", plans.toString(), "--target", "tumor"));
    assertTrue(e.getMessage().startsWith("target 'tumor' does not start with a class number"), e.getMessage());
    // without plans, too
    assertThrows(OptionValueException.class, () -> settings("--layer", "down3", "--target", "lesion"));
    // a name's syntax after the class is checked while parsing
    assertThrows(CommandLine.ParameterException.class, () -> explain("--target", "lesion:bogus"));
  }

  @Test
  void badLayerGridExits2BeforeTheModelIsRead() {
    Path model = Fixtures.ROOT.resolve("models/seed_unet3d.onnx");
    Path input = Fixtures.ROOT.resolve("inputs/seed_unet3d.npy");
    Path out = tmp.resolve("out");
    Cli.Run r = Cli.run("explain", "--model", model.toString(), "--input", input.toString(), "--layer",
        "down3:grid=6,x,6", "--target", "1", "--out", out.toString());
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("--layer") && r.err().contains("the token grid in 'down3:grid=6,x,6' must be "
        + "positive sizes like 6,6,6"), r.err());
    assertFalse(Files.exists(out));
  }
}
