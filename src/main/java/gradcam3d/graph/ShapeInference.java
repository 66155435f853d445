package gradcam3d.graph;

import gradcam3d.Gradcam3dException;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.onnx.proto.Onnx.ValueInfoProto;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs the per-op {@link ShapeRules} over a graph: element types, shapes and small constant values of every tensor, for concrete input shapes (or
 * with -1 where a dimension is unknown). Shape sub-graphs (Shape, Gather, Concat, Reshape...) are
 * evaluated, so a model exported with dynamic axes gets fully static shapes once the input shape
 * is fixed.
 */
public final class ShapeInference {
  private ShapeInference() {}

  /** Infers every tensor of the graph. {@code inputShapes} overrides declared input shapes. */
  public static Map<String, TensorInfo> infer(Graph g, Map<String, long[]> inputShapes) {
    Map<String, TensorInfo> info = new HashMap<>();
    for (ValueInfoProto v : g.inputs()) {
      long[] s = inputShapes.get(v.getName());
      info.put(v.getName(), TensorInfo.of(Graph.elemType(v), s != null ? s : Graph.declaredShape(v)));
    }
    for (TensorProto t : g.initializers().values()) {
      info.put(t.getName(), new TensorInfo(t.getDataType(), TensorProtos.dims(t), Const.fromTensor(t)));
    }
    int opset = g.opset();
    for (Node n : g.nodes()) {
      TensorInfo[] outs = inferNode(n, info::get, opset);
      for (int i = 0; i < n.outputs().size(); i++) {
        if (!n.output(i).isEmpty() && i < outs.length && outs[i] != null) {
          info.put(n.output(i), outs[i]);
        }
      }
    }
    return info;
  }

  /**
   * Output infos of one node given its inputs' infos. An op without a shape rule gets outputs of
   * unknown shape; {@link #whyUnknown} names it when a caller needs one of those shapes.
   */
  public static TensorInfo[] inferNode(Node n, Function<String, TensorInfo> get, int opset) {
    TensorInfo[] in = new TensorInfo[n.inputs().size()];
    for (int i = 0; i < in.length; i++) {
      in[i] = n.input(i).isEmpty() ? null : get.apply(n.input(i));
    }
    ShapeContext c = new ShapeContext(n, in, opset);
    if (!ShapeRules.covers(n)) {
      return c.unknown();
    }
    try {
      return ShapeRules.get(n.opType()).infer(c);
    } catch (Gradcam3dException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new Gradcam3dException("cannot infer the output shape of " + n.describe()
          + " from inputs " + Arrays.toString(in) + ": " + e.getMessage(), e);
    }
  }

  /**
   * Why the shape of {@code tensor} is not fully known: the nearest node upstream that has no
   * shape rule, or else a dynamic input dimension. One phrase, for error messages.
   */
  public static String whyUnknown(Graph g, Map<String, TensorInfo> info, String tensor) {
    Map<String, Node> producers = g.producers();
    java.util.ArrayDeque<String> queue = new java.util.ArrayDeque<>(List.of(tensor));
    java.util.Set<String> seen = new java.util.HashSet<>();
    while (!queue.isEmpty()) {
      String t = queue.poll();
      Node p = producers.get(t);
      if (p == null || !seen.add(t)) {
        continue;
      }
      if (!ShapeRules.covers(p)) {
        return "it is computed by " + p.describe() + ", and shape inference has no rule for op "
            + (p.domain().isEmpty() ? "" : p.domain() + ".") + p.opType();
      }
      for (String in : p.inputs()) {
        TensorInfo ti = info.get(in);
        if (!in.isEmpty() && (ti == null || !ti.hasKnownShape())) {
          queue.add(in);
        }
      }
    }
    return "give the input shape";
  }

  /** Numpy-style broadcast of shapes (null if any rank is unknown). */
  public static long[] broadcast(long[]... shapes) {
    int rank = 0;
    for (long[] s : shapes) {
      if (s == null) {
        return null;
      }
      rank = Math.max(rank, s.length);
    }
    long[] out = new long[rank];
    Arrays.fill(out, 1);
    for (long[] s : shapes) {
      int off = rank - s.length;
      for (int i = 0; i < s.length; i++) {
        long d = s[i];
        long o = out[off + i];
        if (d == 1) {
          continue;
        }
        if (o == 1 || o == d) {
          out[off + i] = d;
        } else if (d < 0 || o < 0) {
          out[off + i] = o < 0 ? (d < 0 ? -1 : d) : o;
        } else {
          throw new IllegalArgumentException("shapes " + Shapes.format(shapes[0]) + " and "
              + Shapes.format(s) + " cannot be broadcast together");
        }
      }
    }
    return out;
  }

  static int axis(long a, int rank) {
    int r = (int) (a < 0 ? a + rank : a);
    if (r < 0 || r >= rank) {
      throw new Gradcam3dException("axis " + a + " is out of range for rank " + rank);
    }
    return r;
  }

  /** Which axes a Reduce node reduces (all when axes are empty, unless noop_with_empty_axes). */
  public static boolean[] reducedAxes(int rank, long[] axes, boolean noopWithEmpty) {
    boolean[] red = new boolean[rank];
    if (axes == null || axes.length == 0) {
      if (!noopWithEmpty) {
        Arrays.fill(red, true);
      }
    } else {
      for (long a : axes) {
        red[axis(a, rank)] = true;
      }
    }
    return red;
  }

  /** Piece sizes of a Split along an axis of length {@code dim} (null when not computable). */
  public static long[] splitSizes(Node n, long dim, int outs, Const splitInput, int opset) {
    long[] sizes = n.attrInts("split");
    if (sizes == null && splitInput != null) {
      sizes = splitInput.longs();
    }
    if (sizes != null) {
      return sizes;
    }
    if (!n.input(1).isEmpty()) {
      return null;
    }
    if (dim < 0) {
      return null;
    }
    long k = n.has("num_outputs") ? n.attrInt("num_outputs", outs) : outs;
    long chunk = (dim + k - 1) / k;
    long[] r = new long[outs];
    long left = dim;
    for (int i = 0; i < outs; i++) {
      r[i] = Math.min(chunk, left);
      left -= r[i];
    }
    return r;
  }

  /** Pad amounts [begin..., end...] over all axes, or null when computed at run time. */
  public static long[] padAmounts(Node n, int rank, Const padsInput, Const axesInput, int opset) {
    long[] p;
    if (opset < 11) {
      p = n.attrInts("pads") != null ? n.attrInts("pads") : n.attrInts("paddings");
    } else {
      if (padsInput == null) {
        return null;
      }
      p = padsInput.longs();
    }
    if (axesInput == null || opset < 18) {
      return p;
    }
    long[] axes = axesInput.longs();
    long[] full = new long[2 * rank];
    for (int i = 0; i < axes.length; i++) {
      int a = axis(axes[i], rank);
      full[a] = p[i];
      full[a + rank] = p[i + axes.length];
    }
    return full;
  }
}
