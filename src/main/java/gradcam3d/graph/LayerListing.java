package gradcam3d.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Every module of a model with its output tensors and their shapes (for `gradcam3d layers`). */
public final class LayerListing {
  /** One module output. foldedInto names the sibling whose output a folded module shares. */
  public record Row(String module, int element, int elements, String tensor, long[] shape, String foldedInto) {}

  private LayerListing() {}

  /** Shapes come from {@code inputShapes} (may be empty: declared shapes, -1 where unknown). */
  public static List<Row> of(Graph g, Map<String, long[]> inputShapes) {
    ModuleIndex index = ModuleIndex.of(g);
    Map<String, TensorInfo> info;
    try {
      info = ShapeInference.infer(g, inputShapes);
    } catch (RuntimeException e) {
      if (!inputShapes.isEmpty()) {
        throw e;
      }
      info = new HashMap<>();
    }
    List<Row> rows = new ArrayList<>();
    for (String m : index.modules()) {
      List<String> outs = index.outputs(m);
      for (int i = 0; i < outs.size(); i++) {
        TensorInfo t = info.get(outs.get(i));
        rows.add(new Row(m, i, outs.size(), outs.get(i), t == null ? null : t.shape(), index.foldedInto(m)));
      }
    }
    return rows;
  }
}
