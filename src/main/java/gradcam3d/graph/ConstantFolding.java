package gradcam3d.graph;

import gradcam3d.onnx.proto.Onnx.TensorProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Replaces nodes whose outputs are all known constants (the shape arithmetic of a model exported
 * with dynamic axes, once the input shape is fixed) by initializers.
 */
public final class ConstantFolding {
  private ConstantFolding() {}

  /** Folds in place; returns how many nodes were removed. */
  public static int fold(Graph g, Map<String, TensorInfo> info) {
    List<Node> kept = new ArrayList<>();
    int removed = 0;
    for (Node n : g.nodes()) {
      boolean allKnown = !n.outputs().isEmpty();
      for (String o : n.outputs()) {
        if (o.isEmpty()) {
          continue;
        }
        TensorInfo t = info.get(o);
        allKnown &= t != null && t.value() != null;
      }
      if (!allKnown) {
        kept.add(n);
        continue;
      }
      for (String o : n.outputs()) {
        if (!o.isEmpty()) {
          TensorProto t = info.get(o).value().toTensor(o);
          g.initializers().put(o, t);
        }
      }
      removed++;
    }
    g.nodes().clear();
    g.nodes().addAll(kept);
    return removed;
  }
}
