package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.testing.Fixtures;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LayersCliTest {
  /** The row of a layer in the table: "name  shape  tensor". */
  private static String row(String out, String layer) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(layer) + "\\s+(\\[.*?\\])\\s+(\\S+).*$").matcher(out);
    assertTrue(m.find(), "no row for " + layer + " in:\n" + out);
    return m.group(1);
  }

  @Test
  void namesEveryModuleTheFixturesUseWithShapes() {
    for (Fixtures.Case c : Fixtures.cases()) {
      long[] in = gradcam3d.volume.Npy.read(c.inputNpy()).shape();
      String shape = java.util.Arrays.stream(in).mapToObj(Long::toString).reduce((a, b) -> a + "," + b).get();
      Cli.Run r = Cli.run("layers", c.model().toString(), "--input-shape", shape);
      assertEquals(0, r.exit(), r.toString());
      String rowName = c.layerSpec();
      String expected = java.util.Arrays.toString(
          ((java.util.List<?>) c.raw().get("activation_shape")).stream().mapToLong(o -> ((Number) o).longValue()).toArray());
      assertEquals(expected, row(r.out(), rowName), c + ": shape of " + rowName);
    }
  }

  @Test
  void withoutInputShapeDynamicDimsPrintAsQuestionMarks() {
    Cli.Run r = Cli.run("layers", Fixtures.ROOT.resolve("models/seed_unet3d.onnx").toString());
    assertEquals(0, r.exit(), r.toString());
    assertEquals("[?, 24, ?, ?, ?]", row(r.out(), "down3"));
    assertTrue(r.out().contains("down2.maxpool_conv.1.double_conv.5"));
  }

  @Test
  void foldedBatchNormIsListedWithItsSibling() {
    Cli.Run r = Cli.run("layers", Fixtures.ROOT.resolve("models/cls2d.onnx").toString(), "--input-shape", "1,3,32,40");
    assertTrue(r.out().contains("features.8") && r.out().contains("folded into features.7"), r.out());
  }

  @Test
  void multiOutputModelListsItsOutputs() {
    Cli.Run r = Cli.run("layers", Fixtures.ROOT.resolve("models/nnunet_like3d.onnx").toString(),
        "--input-shape", "1,2,16,32,32");
    assertTrue(r.out().contains("output 1: 'output1' [1, 2, 8, 16, 16]"), r.out());
  }

  /** --suggest: decoder blocks at 1/4 resolution or finer (coarse to fine), then the bottleneck; a classifier's last map. */
  @org.junit.jupiter.api.Test
  void suggestRanksDecoderBlocksThenTheBottleneck() {
    Cli.Run r = Cli.run("layers", "src/main/resources/gradcam3d/demo/demo_unet3d.onnx", "--input-shape", "1,1,40,48,48",
        "--suggest");
    org.junit.jupiter.api.Assertions.assertEquals(0, r.exit(), r.toString());
    java.util.List<String> ranked = r.out().lines().filter(l -> l.matches("\\s+\\d\\. .*"))
        .map(l -> l.trim().split("\\s+")[1]).toList();
    org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of("up1", "up2", "up3", "down3"), ranked, r.out());
    org.junit.jupiter.api.Assertions.assertTrue(r.out().contains("bottleneck at 1/8"), r.out());
    Cli.Run cls = Cli.run("layers", "src/test/resources/fixtures/models/cls2d.onnx", "--input-shape", "1,3,64,64",
        "--suggest");
    org.junit.jupiter.api.Assertions.assertTrue(cls.out().contains("1. features ") && cls.out().contains("classifier"),
        cls.out());
    Cli.Run dynamic = Cli.run("layers", "src/test/resources/fixtures/models/seed_unet3d.onnx", "--suggest");
    org.junit.jupiter.api.Assertions.assertEquals(2, dynamic.exit(), dynamic.toString());
    org.junit.jupiter.api.Assertions.assertTrue(dynamic.err().contains("--input-shape"), dynamic.err());
  }
}
