package gradcam3d.optimize;

import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.onnx.proto.Onnx.NodeProto;
import gradcam3d.runtime.OrtProgram;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import java.util.List;
import java.util.Map;

/** What the rewrite tests compare against: a model run by ONNX Runtime as it is, without the fast form. */
final class StockRuns {
  private StockRuns() {}

  static final RuntimeOptions STOCK = new RuntimeOptions(1).withFastForm(false);

  /** The first output of a model run on {@code in}. */
  static FloatTensor run(ModelProto m, Map<String, FloatTensor> in) {
    try (OrtProgram p = OrtProgram.create(m, STOCK, "test model")) {
      return (FloatTensor) p.run(in, List.of()).values().iterator().next();
    }
  }

  /** How many nodes of the model's graph are {@code op}. */
  static long count(ModelProto m, String op) {
    return m.getGraph().getNodeList().stream().map(NodeProto::getOpType).filter(op::equals).count();
  }

  /** A shape or an attribute's ints, written inline in a test case. */
  static long[] n(long... v) {
    return v;
  }
}
