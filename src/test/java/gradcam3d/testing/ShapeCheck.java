package gradcam3d.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.graph.Const;
import gradcam3d.graph.Graph;
import gradcam3d.graph.ShapeInference;
import gradcam3d.graph.TensorInfo;
import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.proto.Onnx.GraphProto;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.onnx.proto.Onnx.NodeProto;
import gradcam3d.runtime.OrtProgram;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.LongTensor;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks shape inference against ONNX Runtime: every node output of a small graph is made a
 * graph output, the graph is run, and each tensor's real shape and element type must equal the
 * inferred ones (and real values the inferred constant values, where inference computed them).
 */
public final class ShapeCheck {
  private static final Set<Integer> READABLE = Set.of(DataTypes.FLOAT, DataTypes.INT64, DataTypes.BOOL,
      DataTypes.DOUBLE);

  private ShapeCheck() {}

  /** Returns the inferred infos (every tensor checked) for further assertions. */
  public static Map<String, TensorInfo> assertMatchesRuntime(OpGraph g) {
    ModelProto model = g.model();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    g.inputs().forEach((k, v) -> shapes.put(k, v.shape()));
    Map<String, TensorInfo> info = ShapeInference.infer(Graph.fromModel(model), shapes);
    GraphProto.Builder gb = model.getGraph().toBuilder().clearOutput();
    List<String> checked = new ArrayList<>();
    for (NodeProto n : model.getGraph().getNodeList()) {
      for (String o : n.getOutputList()) {
        TensorInfo t = info.get(o);
        assertNotNull(t, "no info inferred for " + o + " (" + n.getOpType() + ")");
        if (!o.isEmpty() && READABLE.contains(t.type())) {
          gb.addOutput(Graph.valueInfo(o, t.type(), null));
          checked.add(o);
        }
      }
    }
    assertTrue(!checked.isEmpty(), "nothing to check");
    try (OrtProgram p = OrtProgram.create(model.toBuilder().setGraph(gb).build(), new RuntimeOptions(1),
        "shape check")) {
      Map<String, Object> real = p.run(g.inputs(), checked);
      for (String o : checked) {
        TensorInfo t = info.get(o);
        Object v = real.get(o);
        long[] realShape = v instanceof FloatTensor f ? f.shape() : ((LongTensor) v).shape();
        assertArrayEquals(realShape, t.shape(), "shape of " + o + ": inferred " + t + ", ONNX Runtime "
            + Shapes.format(realShape));
        Const c = t.value();
        if (c != null) {
          double[] want = v instanceof FloatTensor f ? toDoubles(f.data()) : toDoubles(((LongTensor) v).data());
          double[] have = c.reals();
          assertEquals(want.length, have.length, "value size of " + o);
          for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], have[i], 1e-5 * Math.max(1, Math.abs(want[i])), "value of " + o + " at " + i);
          }
        }
      }
    }
    return info;
  }

  private static double[] toDoubles(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  private static double[] toDoubles(long[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }
}
