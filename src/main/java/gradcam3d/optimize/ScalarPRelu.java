package gradcam3d.optimize;

import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.Node;
import gradcam3d.graph.TensorInfo;
import gradcam3d.onnx.Attributes;
import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * PRelu whose slope is one number (MONAI's default PReLU) as LeakyRelu with that alpha: the same
 * arithmetic (x, or alpha * x below zero), but ONNX Runtime runs LeakyRelu as a vectorised
 * elementwise kernel and PRelu through its general broadcasting path, several times slower.
 */
final class ScalarPRelu {
  private ScalarPRelu() {}

  static boolean rewrite(GraphBuilder b, Node n) {
    if (!n.opType().equals("PRelu") || !n.domain().isEmpty()) {
      return false;
    }
    TensorProto slope = b.graph().initializers().get(n.input(1));
    TensorInfo x = b.infos().get(n.input(0));
    TensorInfo y = b.infos().get(n.output(0));
    if (slope == null || slope.getDataType() != DataTypes.FLOAT || x == null || y == null
        || x.type() != DataTypes.FLOAT || !x.hasKnownShape() || !Arrays.equals(x.shape(), y.shape())) {
      return false;
    }
    float[] v = TensorProtos.toFloats(slope);
    if (v.length == 0) {
      return false;
    }
    for (float f : v) {
      if (Float.floatToIntBits(f) != Float.floatToIntBits(v[0])) {
        return false;
      }
    }
    b.replace(n, new Node(n.name(), "LeakyRelu", "", List.of(n.input(0)), n.outputs(),
        Map.of("alpha", Attributes.of("alpha", v[0])), n.metadata()));
    return true;
  }
}
