package gradcam3d.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.graph.Graph;
import gradcam3d.graph.Specialization;
import gradcam3d.onnx.ModelIO;
import gradcam3d.testing.Fixtures;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The memory estimate that guards a perturbation batch before ONNX Runtime allocates it: the
 * weights once plus every intermediate tensor per perturbation, so it grows linearly with the
 * batch, by at least the input and output tensors of one pass.
 */
class PerturbationMemoryTest {
  @Test
  void estimateGrowsLinearlyWithTheBatch() {
    Graph g = Graph.fromModel(ModelIO.read(Fixtures.ROOT.resolve("models/seed_unet3d.onnx")));
    long[] e = new long[5];
    for (int k : new int[] {1, 2, 4}) {
      e[k] = PerturbationRunner.estimatedBytes(Specialization.of(g, Map.of("input", new long[] {k, 1, 24, 40, 32})));
    }
    long perPass = e[2] - e[1];
    assertEquals(2 * perPass, e[4] - e[2], "linear in the batch");
    long inputAndOutput = (24L * 40 * 32 + 3L * 24 * 40 * 32) * 4; // [1,1,24,40,32] in, [1,3,24,40,32] out
    assertTrue(perPass >= inputAndOutput, perPass + " bytes per pass < input + output " + inputAndOutput);
    assertTrue(e[1] > perPass, "the weights are counted once: " + e[1] + " vs " + perPass);
  }
}
