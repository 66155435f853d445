package gradcam3d.cli;

import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.OrtProgram;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.Fixtures;
import gradcam3d.volume.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gradcam3d optimize: the written model still computes what PyTorch computed. */
class OptimizeCliTest {
  @TempDir
  Path dir;

  @Test
  void optimizedNnUnetLikeModelMatchesPyTorchOutputs() {
    Path models = Fixtures.ROOT.resolve("models");
    FloatTensor x = Npy.read(Fixtures.ROOT.resolve("inputs/nnunet_like3d.npy"));
    Path out = dir.resolve("fast.onnx");
    Cli.Run r = Cli.run("optimize", models.resolve("nnunet_like3d.onnx").toString(), out.toString(),
        "--input-shape", String.join(",", java.util.Arrays.stream(x.shape()).mapToObj(Long::toString).toList()));
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("rewrote 2 ConvTranspose nodes"), r.toString());
    ModelProto fast = ModelIO.read(out);
    assertFalse(fast.getGraph().getNodeList().stream().anyMatch(n -> n.getOpType().equals("ConvTranspose")));
    try (OrtProgram p = OrtProgram.create(fast, new RuntimeOptions(2), "optimized model")) {
      Map<String, Object> got = p.run(Map.of(p.inputNames().iterator().next(), x), List.of());
      List<String> names = List.copyOf(got.keySet());
      for (int k = 0; k < 2; k++) {
        FloatTensor want = Npy.read(models.resolve("nnunet_like3d.output" + k + ".npy"));
        FloatTensor have = (FloatTensor) got.get(names.get(k));
        assertTrue(maxAbsDiff(have, want) <= 1e-4 * Math.max(1, maxAbs(want)),
            "output " + k + " differs from PyTorch by " + maxAbsDiff(have, want));
      }
    }
  }

  @Test
  void badInputShapeIsABadOptionValueAndWritesNothing() {
    Path out = dir.resolve("fast.onnx");
    Cli.Run r = Cli.run("optimize", Fixtures.ROOT.resolve("models/nnunet_like3d.onnx").toString(), out.toString(),
        "--input-shape", "1,x,2");
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("Invalid value for option '--input-shape'"), r.toString());
    assertFalse(Files.exists(out));
  }
}
