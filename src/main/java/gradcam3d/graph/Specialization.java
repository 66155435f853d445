package gradcam3d.graph;

import gradcam3d.Gradcam3dException;
import gradcam3d.onnx.proto.Onnx.ValueInfoProto;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model graph fixed to concrete input shapes: every tensor's shape inferred, the shape
 * arithmetic folded into constants, unused nodes dropped. Compiled programs start from this.
 */
public record Specialization(Graph graph, Map<String, TensorInfo> info, Map<String, long[]> inputShapes) {

  public static Specialization of(Graph original, Map<String, long[]> given) {
    Graph g = original.copy();
    Map<String, long[]> shapes = checkedInputShapes(g, given);
    Map<String, TensorInfo> info;
    try {
      info = ShapeInference.infer(g, shapes);
    } catch (Gradcam3dException e) {
      StringBuilder shown = new StringBuilder();
      shapes.forEach((k, v) -> shown.append(shown.length() == 0 ? "" : ", ").append(Shapes.format(v)));
      throw new Gradcam3dException("the model cannot take input shape " + shown + ": " + e.getMessage()
          + " (encoder-decoder networks often need sizes divisible by 2^depth)", e);
    }
    ConstantFolding.fold(g, info);
    g.prune();
    List<ValueInfoProto> fixed = new ArrayList<>();
    for (ValueInfoProto v : g.inputs()) {
      fixed.add(Graph.valueInfo(v.getName(), Graph.elemType(v), shapes.get(v.getName())));
    }
    g.inputs().clear();
    g.inputs().addAll(fixed);
    return new Specialization(g, info, shapes);
  }

  /** Shapes of every graph input, checked against what the model declares. */
  private static Map<String, long[]> checkedInputShapes(Graph g, Map<String, long[]> given) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (ValueInfoProto v : g.inputs()) {
      long[] declared = Graph.declaredShape(v);
      long[] s = given.get(v.getName());
      if (s == null && given.size() == 1 && g.inputs().size() == 1) {
        s = given.values().iterator().next();
      }
      if (s == null) {
        if (Shapes.isKnown(declared)) {
          s = declared;
        } else {
          throw new Gradcam3dException("no shape given for model input '" + v.getName() + "' "
              + Shapes.format(declared));
        }
      }
      if (declared != null) {
        boolean ok = declared.length == s.length;
        for (int i = 0; ok && i < s.length; i++) {
          ok = declared[i] < 0 || declared[i] == s[i];
        }
        if (!ok) {
          throw new Gradcam3dException("input shape " + Shapes.format(s) + " does not fit model input '"
              + v.getName() + "', which takes " + Shapes.format(declared));
        }
      }
      shapes.put(v.getName(), s.clone());
    }
    return shapes;
  }

  /** A builder that appends to this graph, with names under {@code prefix}. */
  public GraphBuilder builder(String prefix) {
    return new GraphBuilder(graph, info, prefix);
  }
}
