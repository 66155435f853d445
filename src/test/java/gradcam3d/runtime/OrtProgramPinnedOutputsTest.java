package gradcam3d.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import gradcam3d.onnx.proto.Onnx;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.OpGraph;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Outputs read from pinned buffers are the computed ones, also after a wrong declared shape. */
class OrtProgramPinnedOutputsTest {
  private static ModelProto doubling(long... declaredOutput) {
    OpGraph g = new OpGraph(17, 1);
    String x = g.input("x", new FloatTensor(new float[] {1, -2, 3.5f, 4, 5, 6}, 2, 3));
    g.output(g.node("Add", List.of(x, x)));
    ModelProto m = g.model();
    Onnx.TypeProto.Tensor.Builder t = Onnx.TypeProto.Tensor.newBuilder().setElemType(1);
    Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder();
    for (long d : declaredOutput) {
      s.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    Onnx.GraphProto.Builder gb = m.getGraph().toBuilder();
    gb.setOutput(0, gb.getOutput(0).toBuilder().setType(Onnx.TypeProto.newBuilder().setTensorType(t.setShape(s))));
    return m.toBuilder().setGraph(gb).build();
  }

  @Test
  void runsAgainWithTheSameBuffersAndAfterAWrongDeclaredShape() {
    float[] expected = {2, -4, 7, 8, 10, 12};
    for (long[] declared : List.of(new long[] {2, 3}, new long[] {3, 2}, new long[] {7})) {
      try (OrtProgram p = OrtProgram.create(doubling(declared), new RuntimeOptions(1), "doubling")) {
        for (int run = 0; run < 2; run++) {
          FloatTensor x = new FloatTensor(new float[] {1, -2, 3.5f, 4, 5, 6}, 2, 3);
          FloatTensor y = (FloatTensor) p.run(Map.of("x", x), List.of()).values().iterator().next();
          assertArrayEquals(expected, y.data(), "declared " + java.util.Arrays.toString(declared) + ", run " + run);
          assertArrayEquals(new long[] {2, 3}, y.shape());
        }
      }
    }
  }
}
