package gradcam3d.graph;

import gradcam3d.Gradcam3dException;
import gradcam3d.onnx.Attributes;
import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.AttributeProto;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends nodes to a graph while keeping every tensor's inferred type and shape, so code that
 * emits nodes (gradient rules, CAM math) can ask for the shape of anything it made. Helpers take
 * care of operator-set differences (axes as attribute or input, for example).
 */
public final class GraphBuilder {
  private final Graph graph;
  private final Map<String, TensorInfo> info;
  private final int opset;
  private final String prefix;
  private int counter;

  public GraphBuilder(Graph graph, Map<String, TensorInfo> info, String prefix) {
    this.graph = graph;
    this.info = info;
    this.opset = graph.opset();
    this.prefix = prefix;
  }

  public Graph graph() {
    return graph;
  }

  public int opset() {
    return opset;
  }

  public TensorInfo info(String tensor) {
    TensorInfo t = info.get(tensor);
    if (t == null) {
      throw new IllegalStateException("no inferred info for tensor '" + tensor + "'");
    }
    return t;
  }

  public Map<String, TensorInfo> infos() {
    return info;
  }

  /** Known shape of a tensor; fails when any dimension is unknown. */
  public long[] shape(String tensor) {
    long[] s = info(tensor).shape();
    if (!Shapes.isKnown(s)) {
      throw new Gradcam3dException("the shape of tensor '" + tensor + "' is not known ("
          + Shapes.format(s) + "); " + ShapeInference.whyUnknown(graph, info, tensor));
    }
    return s;
  }

  public int rank(String tensor) {
    return shape(tensor).length;
  }

  public int type(String tensor) {
    return info(tensor).type();
  }

  public String fresh(String hint) {
    return prefix + hint + "_" + (counter++);
  }

  // ---- emission ------------------------------------------------------------------------------

  /** Appends a node with one output and returns the output's name. */
  public String op(String opType, List<String> inputs, AttributeProto... attrs) {
    return opMulti(opType, inputs, 1, attrs).get(0);
  }

  public String op(String opType, String input, AttributeProto... attrs) {
    return op(opType, List.of(input), attrs);
  }

  public String op(String opType, String a, String b, AttributeProto... attrs) {
    return op(opType, List.of(a, b), attrs);
  }

  /** Appends a node with several outputs. */
  public List<String> opMulti(String opType, List<String> inputs, int outputs, AttributeProto... attrs) {
    List<String> outs = new ArrayList<>();
    for (int i = 0; i < outputs; i++) {
      outs.add(fresh(opType));
    }
    return opNamed(opType, inputs, outs, attrs);
  }

  /** Appends a node with given output names. */
  public List<String> opNamed(String opType, List<String> inputs, List<String> outs, AttributeProto... attrs) {
    Map<String, AttributeProto> am = new LinkedHashMap<>();
    for (AttributeProto a : attrs) {
      am.put(a.getName(), a);
    }
    Node n = new Node(outs.get(0), opType, "", inputs, outs, am, List.of());
    add(n);
    return outs;
  }

  /** Appends an existing node (inferring its outputs). */
  public void add(Node n) {
    TensorInfo[] out = ShapeInference.inferNode(n, info::get, opset);
    for (int i = 0; i < n.outputs().size(); i++) {
      if (!n.output(i).isEmpty() && i < out.length && out[i] != null) {
        info.put(n.output(i), out[i]);
      }
    }
    graph.nodes().add(n);
  }

  /** Replaces a node of the graph in place (same position), re-inferring its outputs. */
  public void replace(Node old, Node replacement) {
    int i = graph.nodes().indexOf(old);
    if (i < 0) {
      throw new IllegalStateException("node not in graph: " + old);
    }
    graph.nodes().set(i, replacement);
    TensorInfo[] out = ShapeInference.inferNode(replacement, info::get, opset);
    for (int k = 0; k < replacement.outputs().size(); k++) {
      if (!replacement.output(k).isEmpty() && k < out.length && out[k] != null) {
        info.put(replacement.output(k), out[k]);
      }
    }
  }

  public String initializer(TensorProto t) {
    graph.initializers().put(t.getName(), t);
    info.put(t.getName(), new TensorInfo(t.getDataType(), TensorProtos.dims(t), Const.fromTensor(t)));
    return t.getName();
  }

  public String constFloats(float[] values, long... shape) {
    return initializer(TensorProtos.ofFloats(fresh("const"), values, shape));
  }

  /** A scalar of the given floating type. */
  public String scalar(double v, int type) {
    return initializer(TensorProtos.of(fresh("scalar"), type, new double[] {v}));
  }

  public String scalar(double v) {
    return scalar(v, DataTypes.FLOAT);
  }

  /** A scalar with the element type of {@code like}. */
  public String scalarLike(double v, String like) {
    return scalar(v, type(like));
  }

  public String constLongs(long... values) {
    return initializer(TensorProtos.ofLongs(fresh("ints"), values, values.length));
  }

  /** Adds a graph input with a fixed type and shape. */
  public String input(String name, int type, long[] shape) {
    graph.inputs().add(Graph.valueInfo(name, type, shape));
    info.put(name, TensorInfo.of(type, shape));
    return name;
  }

  // ---- elementwise ----------------------------------------------------------------------------

  public String add(String a, String b) {
    return op("Add", a, b);
  }

  public String sub(String a, String b) {
    return op("Sub", a, b);
  }

  public String mul(String a, String b) {
    return op("Mul", a, b);
  }

  public String div(String a, String b) {
    return op("Div", a, b);
  }

  public String neg(String a) {
    return op("Neg", a);
  }

  public String where(String cond, String a, String b) {
    return op("Where", List.of(cond, a, b));
  }

  public String cast(String x, int to) {
    return type(x) == to ? x : op("Cast", x, Attributes.of("to", (long) to));
  }

  /** Sum of several tensors of the same shape (one node). */
  public String sum(List<String> parts) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    if (parts.size() == 2) {
      return add(parts.get(0), parts.get(1));
    }
    return op("Sum", parts);
  }

  // ---- shape movement -------------------------------------------------------------------------

  public String reshape(String x, long... shape) {
    if (Arrays.equals(info(x).shape(), shape)) {
      return x;
    }
    return op("Reshape", x, constLongs(shape));
  }

  public String transpose(String x, long... perm) {
    boolean identity = true;
    for (int i = 0; i < perm.length; i++) {
      identity &= perm[i] == i;
    }
    return identity ? x : op("Transpose", x, Attributes.of("perm", perm));
  }

  public String unsqueeze(String x, long... axes) {
    if (opset >= 13) {
      return op("Unsqueeze", x, constLongs(axes));
    }
    return op("Unsqueeze", x, Attributes.of("axes", axes));
  }

  public String squeeze(String x, long... axes) {
    if (opset >= 13) {
      return op("Squeeze", x, constLongs(axes));
    }
    return op("Squeeze", x, Attributes.of("axes", axes));
  }

  public String expand(String x, long... shape) {
    if (Arrays.equals(info(x).shape(), shape)) {
      return x;
    }
    return op("Expand", x, constLongs(shape));
  }

  public String slice(String x, long[] starts, long[] ends, long[] axes, long[] steps) {
    List<String> in = new ArrayList<>(List.of(x, constLongs(starts), constLongs(ends), constLongs(axes)));
    if (steps != null) {
      in.add(constLongs(steps));
    }
    return op("Slice", in);
  }

  /** Constant zero padding; pads = [begin..., end...] over all axes (all >= 0). */
  public String pad(String x, long[] pads) {
    boolean none = true;
    for (long p : pads) {
      none &= p == 0;
    }
    if (none) {
      return x;
    }
    if (opset >= 11) {
      return op("Pad", x, constLongs(pads), Attributes.of("mode", "constant"));
    }
    return op("Pad", x, Attributes.of("pads", pads), Attributes.of("mode", "constant"));
  }

  public String concat(List<String> parts, long axis) {
    return parts.size() == 1 ? parts.get(0) : op("Concat", parts, Attributes.of("axis", axis));
  }

  public List<String> split(String x, long axis, long[] sizes) {
    if (opset >= 13) {
      return opMulti("Split", List.of(x, constLongs(sizes)), sizes.length, Attributes.of("axis", axis));
    }
    return opMulti("Split", List.of(x), sizes.length, Attributes.of("axis", axis),
        Attributes.of("split", sizes));
  }

  // ---- reductions -----------------------------------------------------------------------------

  /** ReduceSum / ReduceMean / ReduceMax / ReduceMin over axes, in the form the opset wants. */
  public String reduce(String op, String x, long[] axes, boolean keepdims) {
    if (axes.length == 0) {
      return x;
    }
    boolean asInput = opset >= 18 || (op.equals("ReduceSum") && opset >= 13);
    AttributeProto keep = Attributes.of("keepdims", keepdims ? 1L : 0L);
    if (asInput) {
      return op(op, x, constLongs(axes), keep);
    }
    return op(op, x, Attributes.of("axes", axes), keep);
  }

  public String reduceSum(String x, long[] axes, boolean keepdims) {
    return reduce("ReduceSum", x, axes, keepdims);
  }

  public String reduceMean(String x, long[] axes, boolean keepdims) {
    return reduce("ReduceMean", x, axes, keepdims);
  }

  /** Reduces a broadcast result back to the shape of the operand it came from. */
  public String unbroadcast(String grad, long[] target) {
    long[] g = shape(grad);
    if (Arrays.equals(g, target)) {
      return grad;
    }
    int lead = g.length - target.length;
    List<Long> axes = new ArrayList<>();
    for (int i = 0; i < g.length; i++) {
      if (i < lead || (target[i - lead] == 1 && g[i] != 1)) {
        axes.add((long) i);
      }
    }
    String r = reduceSum(grad, axes.stream().mapToLong(Long::longValue).toArray(), true);
    return reshape(r, target);
  }

  /** 0, 1, ..., n-1 from a given start: the axes list helper. */
  public static long[] range(int from, int to) {
    long[] r = new long[Math.max(0, to - from)];
    for (int i = 0; i < r.length; i++) {
      r[i] = from + i;
    }
    return r;
  }
}
