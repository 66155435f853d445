package gradcam3d.graph;

import gradcam3d.onnx.DataTypes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Shapes of pooling, reductions, arg-reductions and cumulative sums. */
final class PoolReduceShapes {
  private PoolReduceShapes() {}

  static void register(Map<String, ShapeRule> t) {
    for (String op : List.of("MaxPool", "AveragePool", "LpPool")) {
      t.put(op, PoolReduceShapes::pool);
    }
    for (String op : List.of("GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool")) {
      t.put(op, PoolReduceShapes::globalPool);
    }
    for (String op : List.of("ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
        "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare")) {
      t.put(op, PoolReduceShapes::reduce);
    }
    t.put("ArgMax", PoolReduceShapes::argReduce);
    t.put("ArgMin", PoolReduceShapes::argReduce);
    t.put("CumSum", ShapeContext::likeInput);
  }

  private static TensorInfo[] pool(ShapeContext c) {
    long[] x = c.shape(0);
    if (x == null) {
      return c.unknown();
    }
    long[] inSp = Arrays.copyOfRange(x, 2, x.length);
    long[] sp = ConvGeometry.forward(c.node(), inSp, null).forwardOutput(inSp);
    TensorInfo y = TensorInfo.of(c.type(0), LinearShapes.batchChannels(x[0], x[1], sp));
    if (c.node().outputs().size() > 1) {
      // MaxPool's optional Indices output
      return new TensorInfo[] {y, TensorInfo.of(DataTypes.INT64, y.shape())};
    }
    return new TensorInfo[] {y};
  }

  private static TensorInfo[] globalPool(ShapeContext c) {
    long[] s = c.shape(0);
    if (s == null) {
      return c.one(c.type(0), null);
    }
    for (int i = 2; i < s.length; i++) {
      s[i] = 1;
    }
    return c.one(c.type(0), s);
  }

  private static TensorInfo[] reduce(ShapeContext c) {
    long[] s = c.shape(0);
    if (s == null) {
      return c.one(c.type(0), null);
    }
    Node n = c.node();
    boolean axesAsInput = c.opset() >= 18 || (n.opType().equals("ReduceSum") && c.opset() >= 13);
    long[] ax = axesAsInput ? (n.input(1).isEmpty() ? null : c.axes(1)) : n.attrInts("axes");
    boolean keep = n.attrInt("keepdims", 1) != 0;
    boolean noop = n.attrInt("noop_with_empty_axes", 0) != 0;
    boolean[] red = ShapeInference.reducedAxes(s.length, ax, noop);
    List<Long> o = new ArrayList<>();
    for (int i = 0; i < s.length; i++) {
      if (!red[i]) {
        o.add(s[i]);
      } else if (keep) {
        o.add(1L);
      }
    }
    long[] out = o.stream().mapToLong(Long::longValue).toArray();
    Const v = c.value(0);
    if (v != null && List.of("ReduceProd", "ReduceSum", "ReduceMax", "ReduceMin").contains(n.opType())) {
      return c.one(ConstEval.reduce(n.opType(), v, red, out));
    }
    return c.one(c.type(0), out);
  }

  private static TensorInfo[] argReduce(ShapeContext c) {
    long[] s = c.shape(0);
    if (s == null) {
      return c.one(DataTypes.INT64, null);
    }
    int ax = ShapeInference.axis(c.node().attrInt("axis", 0), s.length);
    boolean keep = c.node().attrInt("keepdims", 1) != 0;
    List<Long> o = new ArrayList<>();
    for (int i = 0; i < s.length; i++) {
      if (i != ax) {
        o.add(s[i]);
      } else if (keep) {
        o.add(1L);
      }
    }
    return c.one(DataTypes.INT64, o.stream().mapToLong(Long::longValue).toArray());
  }
}
