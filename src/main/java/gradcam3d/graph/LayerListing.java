package gradcam3d.graph;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.onnx.proto.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Every module of a model with its output tensors and their shapes (for `gradcam3d layers`). */
public final class LayerListing {
  /**
   * One module output. foldedInto names the sibling whose output a folded module shares;
   * orderGuessed says element numbers follow the order of computation (the graph does not record
   * the returned order); registeredName is the named_modules() name when the parameters show the
   * module was called through another path; tokenView says how a [B, N, C] token output is seen
   * as a volume (or why it cannot be). Each of the last four may be null / false.
   */
  public record Row(String module, int element, int elements, String tensor, long[] shape, String foldedInto,
      boolean orderGuessed, String registeredName, String tokenView) {}

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
    Map<String, String> registered = new LayerResolver(g, index).registeredNames();
    long[] input = largestInput(g, inputShapes);
    int spatialAxes = input.length - 2;
    List<Row> rows = new ArrayList<>();
    for (String m : index.modules()) {
      List<String> outs = index.outputs(m);
      for (int i = 0; i < outs.size(); i++) {
        TensorInfo t = info.get(outs.get(i));
        long[] shape = t == null ? null : t.shape();
        rows.add(new Row(m, i, outs.size(), outs.get(i), shape, index.foldedInto(m), index.orderGuessed(m),
            registered.get(m), tokenView(m, shape, input, g, info, spatialAxes)));
      }
    }
    return rows;
  }

  /** How a per-sample token output is seen as a volume; null for other outputs. */
  private static String tokenView(String module, long[] shape, long[] input, Graph g, Map<String, TensorInfo> info,
      int spatialAxes) {
    if (!TokenView.isTokenShape(shape, spatialAxes) || !gradcam3d.tensor.Shapes.isKnown(shape) || shape[0] != input[0]) {
      return null;
    }
    try {
      return TokenView.of(module, shape, input[0], null, g, info, spatialAxes).describe(shape);
    } catch (Gradcam3dException e) {
      return "tokens: no patch grid of " + shape[1] + " or " + (shape[1] - 1) + " cells found; give "
          + Setting.TOKEN_GRID.label();
    }
  }

  /** The shape of the input of highest rank (the volume; [] when the graph declares none). */
  private static long[] largestInput(Graph g, Map<String, long[]> inputShapes) {
    long[] best = new long[0];
    for (ValueInfoProto v : g.inputs()) {
      long[] s = inputShapes.getOrDefault(v.getName(), Graph.declaredShape(v));
      if (s != null && s.length > best.length) {
        best = s;
      }
    }
    return best;
  }
}
