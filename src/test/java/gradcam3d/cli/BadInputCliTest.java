package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.onnx.proto.Onnx.NodeProto;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.Fixtures;
import gradcam3d.volume.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: one clear line on stderr, exit code 1, no stack trace, no output folder. */
class BadInputCliTest {
  @TempDir
  Path tmp;

  private final Path seedModel = Fixtures.ROOT.resolve("models/seed_unet3d.onnx");
  private final Path seedInput = Fixtures.ROOT.resolve("inputs/seed_unet3d.npy");

  private Cli.Run explain(Path model, Path input, String layer, String... extra) {
    List<String> a = new ArrayList<>(List.of("explain", "--model", model.toString(), "--input", input.toString(),
        "--layer", layer, "--out", tmp.resolve("out").toString(), "--threads", "1"));
    a.addAll(Arrays.asList(extra));
    return Cli.run(a.toArray(String[]::new));
  }

  private void assertCleanFailure(Cli.Run r, String... words) {
    assertEquals(1, r.exit(), r.toString());
    String err = r.err().strip();
    assertFalse(err.contains("\n"), "one line only:\n" + err);
    assertTrue(err.startsWith("error: "), err);
    assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
    for (String w : words) {
      assertTrue(err.contains(w), "expected '" + w + "' in: " + err);
    }
    assertFalse(Files.exists(tmp.resolve("out")), "no output folder after a failure");
    try (var s = Files.list(tmp)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().contains("partial")), "no temporary folders");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void notAnOnnxFile() throws IOException {
    Path bogus = Files.writeString(tmp.resolve("model.onnx"), "this is not a model\n");
    assertCleanFailure(explain(bogus, seedInput, "down3", "--target", "1"), "model.onnx", "not");
  }

  @Test
  void truncatedModel() throws IOException {
    byte[] bytes = Files.readAllBytes(seedModel);
    Path cut = Files.write(tmp.resolve("cut.onnx"), Arrays.copyOf(bytes, bytes.length / 2));
    assertCleanFailure(explain(cut, seedInput, "down3", "--target", "1"), "cut.onnx", "truncated");
  }

  @Test
  void missingExternalData() throws IOException {
    Path m = tmp.resolve("external.onnx");
    ModelIO.write(ModelIO.read(seedModel), m, 1024);
    assertTrue(Files.exists(tmp.resolve("external.onnx.data")));
    Files.delete(tmp.resolve("external.onnx.data"));
    assertCleanFailure(explain(m, seedInput, "down3", "--target", "1"), "external.onnx.data", "does not exist");
  }

  @Test
  void inputWithTheWrongChannelCount() {
    Path two = tmp.resolve("two_channels.npy");
    FloatTensor x = Npy.read(seedInput);
    Npy.write(FloatTensor.stack(List.of(x.slice0(0).slice0(0), x.slice0(0).slice0(0))), two);
    assertCleanFailure(explain(seedModel, two, "down3", "--target", "1"), "[1, 2, 24, 40, 32]", "[?, 1, ?, ?, ?]");
  }

  @Test
  void inputSizeTheNetworkCannotTake() {
    // three 2x poolings need sizes divisible by 8; 25 is not
    Path odd = tmp.resolve("odd.npy");
    Npy.write(FloatTensor.zeros(1, 1, 25, 40, 32), odd);
    assertCleanFailure(explain(seedModel, odd, "down3", "--target", "1"), "[1, 1, 25, 40, 32]");
  }

  @Test
  void unknownLayerListsClosestNames() {
    // a bad --layer value, judged once the model is read: exit 2 (BadOptionValuesCliTest), nothing written
    Cli.Run r = explain(seedModel, seedInput, "down4", "--target", "1");
    assertEquals(2, r.exit(), r.toString());
    String first = r.err().strip().lines().findFirst().orElseThrow();
    assertTrue(first.contains("unknown layer 'down4'") && first.contains("down3"), first);
    assertFalse(Files.exists(tmp.resolve("out")), "no output folder after a failure");
  }

  @Test
  void tupleElementOutOfRange() {
    Path m = Fixtures.ROOT.resolve("models/list_encoder3d.onnx");
    Path x = Fixtures.ROOT.resolve("inputs/list_encoder3d.npy");
    assertCleanFailure(explain(m, x, "encoder@3", "--target", "1"), "encoder", "3 outputs");
  }

  @Test
  void layerWithNoPathToTheChosenOutput() {
    Path m = Fixtures.ROOT.resolve("models/nnunet_like3d.onnx");
    Path x = Fixtures.ROOT.resolve("inputs/nnunet_like3d.npy");
    assertCleanFailure(explain(m, x, "decoder.1", "--target", "1", "--model-output", "1"), "no path");
  }

  @Test
  void nanVoxels() throws IOException {
    FloatTensor x = Npy.read(seedInput);
    x.data()[1234] = Float.NaN;
    Path nan = tmp.resolve("nan.npy");
    Npy.write(x, nan);
    assertCleanFailure(explain(seedModel, nan, "down3", "--target", "1"), "NaN");
  }

  @Test
  void corruptNifti() throws IOException {
    byte[] bytes = Files.readAllBytes(Fixtures.ROOT.resolve("inputs/seed_unet3d.nii.gz"));
    Path cut = Files.write(tmp.resolve("cut.nii.gz"), Arrays.copyOf(bytes, bytes.length / 3));
    assertCleanFailure(explain(seedModel, cut, "down3", "--target", "1"), "cut.nii.gz");
  }

  @Test
  void classTheModelDoesNotHave() {
    // a bad --target value judged once the model is read: exit 2 (issue 26 item 17)
    assertBadOptionValue(explain(seedModel, seedInput, "down3", "--target", "7"), "class 7", "0..2");
  }

  /** Exit 2, the message (with {@code words}) and the --help hint, nothing written. */
  private void assertBadOptionValue(Cli.Run r, String... words) {
    assertEquals(2, r.exit(), r.toString());
    List<String> lines = r.err().strip().lines().toList();
    assertEquals(2, lines.size(), r.err());
    for (String w : words) {
      assertTrue(lines.get(0).contains(w), "expected '" + w + "' in: " + lines.get(0));
    }
    assertTrue(lines.get(1).contains("--help"), r.err());
    assertFalse(Files.exists(tmp.resolve("out")), "no output folder after a failure");
  }

  @Test
  void emptyMaskTarget() throws IOException {
    Path mask = tmp.resolve("empty_mask.npy");
    Npy.write(FloatTensor.zeros(24, 40, 32), mask);
    assertCleanFailure(explain(seedModel, seedInput, "down3", "--target", "1:mask=" + mask), "no voxel > 0");
  }

  @Test
  void absentPredictedClassSaysWhatToTry() {
    // the demo U-Net sees no sphere (class 1) in an empty volume
    Path flat = tmp.resolve("flat.npy");
    Npy.write(FloatTensor.zeros(1, 1, 16, 16, 16), flat);
    Path demo = Path.of("src/main/resources/gradcam3d/demo/demo_unet3d.onnx");
    assertCleanFailure(explain(demo, flat, "up2", "--target", "1"), "class 1 is absent", "1:all",
        "predicted classes: 0 (4096 voxels)");
  }

  @Test
  void segmentationModelNeedsATarget() {
    // a missing --target is a missing option value: exit 2 like every other (issue 21.3)
    Cli.Run r = explain(seedModel, seedInput, "down3");
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().startsWith("error: this model segments") && r.err().contains("--target"), r.err());
    assertFalse(Files.exists(tmp.resolve("out")), "no output folder after a failure");
  }

  @Test
  void unsupportedOpOnThePathNamesOpNodeAndModule() throws IOException {
    ModelProto m = ModelIO.read(seedModel);
    // put a CumSum (no gradient rule) between outc's conv and the output
    ModelProto.Builder b = m.toBuilder();
    var g = b.getGraphBuilder();
    for (int i = 0; i < g.getNodeCount(); i++) {
      if (g.getNode(i).getOutputList().contains("output")) {
        g.setNode(i, g.getNode(i).toBuilder().setOutput(0, "pre_cumsum"));
      }
    }
    g.addInitializer(gradcam3d.onnx.TensorProtos.ofLongs("cumsum_axis", new long[] {1}));
    g.addNode(NodeProto.newBuilder().setName("/outc/extra/CumSum").setOpType("CumSum")
        .addInput("pre_cumsum").addInput("cumsum_axis").addOutput("output"));
    Path bad = tmp.resolve("cumsum.onnx");
    ModelIO.write(b.build(), bad, Long.MAX_VALUE);
    assertCleanFailure(explain(bad, seedInput, "down3", "--target", "1"), "CumSum", "/outc/extra/CumSum",
        "outc.extra");
  }

  @Test
  void unknownMethodAndBadTargetSyntax() {
    // a bad option value exits with 2 (issue 7 item 8): BadOptionValuesCliTest checks --method gradcam2
    assertBadOptionValue(explain(seedModel, seedInput, "down3", "--target", "1:boxx=1"), "not understood");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void fifosAsInputMaskOrModelAreRefusedWithoutHanging() throws Exception {
    Path fifo = tmp.resolve("pipe.npy");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    assertCleanFailure(explain(seedModel, fifo, "down3", "--target", "1"), "pipe.npy",
        "is not a regular file");
    assertCleanFailure(explain(seedModel, seedInput, "down3", "--target", "1:mask=" + fifo),
        "pipe.npy", "is not a regular file");
    Path modelFifo = tmp.resolve("pipe.onnx");
    assertEquals(0, new ProcessBuilder("mkfifo", modelFifo.toString()).start().waitFor());
    assertCleanFailure(explain(modelFifo, seedInput, "down3", "--target", "1"), "pipe.onnx",
        "is not a regular file");
  }

  @Test
  void externalDataOutsideTheModelFolderIsRefused() throws IOException {
    Path m = tmp.resolve("model/external.onnx");
    ModelIO.write(ModelIO.read(seedModel), m, 1024);
    Path data = m.resolveSibling("external.onnx.data");
    Path elsewhere = Files.move(data, tmp.resolve("elsewhere.data"));
    Files.createSymbolicLink(data, elsewhere);
    assertCleanFailure(explain(m, seedInput, "down3", "--target", "1"),
        "points its external data outside the model's folder; refused");
  }
}
