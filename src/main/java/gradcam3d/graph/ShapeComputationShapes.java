package gradcam3d.graph;

import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Ops that compute shapes and indices (Shape, Size, ConstantOfShape, Range, NonZero, OneHot);
 * their values are evaluated when their inputs are known, which is what makes dynamic-axes
 * exports fully static once the input shape is fixed.
 */
final class ShapeComputationShapes {
  private ShapeComputationShapes() {}

  static void register(Map<String, ShapeRule> t) {
    t.put("Shape", ShapeComputationShapes::shape);
    t.put("Size", c -> {
      long[] s = c.shape(0);
      long numel = s == null ? -1 : Shapes.numel(s);
      return numel >= 0 ? c.one(Const.scalar(DataTypes.INT64, numel)) : c.one(DataTypes.INT64, new long[0]);
    });
    t.put("ConstantOfShape", ShapeComputationShapes::constantOfShape);
    t.put("Range", ShapeComputationShapes::range);
    t.put("NonZero", ShapeComputationShapes::nonZero);
    t.put("OneHot", ShapeComputationShapes::oneHot);
  }

  private static TensorInfo[] shape(ShapeContext c) {
    long[] s = c.shape(0);
    if (s == null) {
      return c.one(DataTypes.INT64, new long[] {-1});
    }
    int r = s.length;
    long start = c.node().attrInt("start", 0);
    long end = c.node().attrInt("end", r);
    int a = (int) Math.max(0, Math.min(r, start < 0 ? start + r : start));
    int b = (int) Math.max(0, Math.min(r, end < 0 ? end + r : end));
    long[] part = Arrays.copyOfRange(s, a, Math.max(a, b));
    if (Shapes.isKnown(part)) {
      return c.one(Const.vector(part));
    }
    return c.one(DataTypes.INT64, new long[] {part.length});
  }

  private static TensorInfo[] constantOfShape(ShapeContext c) {
    TensorProto value = c.node().attrTensor("value");
    int t = value == null ? DataTypes.FLOAT : value.getDataType();
    Const sc = c.value(0);
    if (sc == null) {
      long[] ss = c.shape(0);
      return c.one(t, ss == null || ss[0] < 0 ? null : ShapeContext.unknownDims(ss[0]));
    }
    long[] s = sc.longs();
    long numel = Shapes.numel(s);
    if (numel <= Const.MAX_ELEMENTS) {
      double v = value == null ? 0 : TensorProtos.toDoubles(value)[0];
      double[] vals = new double[(int) numel];
      Arrays.fill(vals, v);
      return c.one(Const.ofReals(DataTypes.DOUBLE, s, vals).cast(t));
    }
    return c.one(t, s);
  }

  private static TensorInfo[] range(ShapeContext c) {
    if (!c.allConst()) {
      return c.one(c.type(0), new long[] {-1});
    }
    double start = c.value(0).realAt(0);
    double limit = c.value(1).realAt(0);
    double delta = c.value(2).realAt(0);
    long count = Math.max((long) Math.ceil((limit - start) / delta), 0);
    if (count > Const.MAX_ELEMENTS) {
      return c.one(c.type(0), new long[] {count});
    }
    double[] v = new double[(int) count];
    for (int i = 0; i < count; i++) {
      v[i] = start + i * delta;
    }
    return c.one(Const.ofReals(DataTypes.DOUBLE, new long[] {count}, v).cast(c.type(0)));
  }

  /** NonZero: [rank, count] indices; the count is known only when the input's value is. */
  private static TensorInfo[] nonZero(ShapeContext c) {
    long[] s = c.shape(0);
    Const v = c.value(0);
    if (s == null) {
      return c.one(DataTypes.INT64, new long[] {-1, -1});
    }
    if (v == null) {
      return c.one(DataTypes.INT64, new long[] {s.length, -1});
    }
    double[] d = v.reals();
    List<Integer> hits = new ArrayList<>();
    for (int i = 0; i < d.length; i++) {
      if (d[i] != 0) {
        hits.add(i);
      }
    }
    long[] idx = new long[s.length * hits.size()];
    for (int h = 0; h < hits.size(); h++) {
      long[] at = Shapes.unravel(hits.get(h), s);
      for (int a = 0; a < s.length; a++) {
        idx[a * hits.size() + h] = at[a];
      }
    }
    return c.one(Const.ofInts(DataTypes.INT64, new long[] {s.length, hits.size()}, idx));
  }

  /** OneHot: indices' shape with the depth inserted at the axis. */
  private static TensorInfo[] oneHot(ShapeContext c) {
    long[] s = c.shape(0);
    if (s == null) {
      return c.one(c.type(2), null);
    }
    int r = s.length + 1;
    int ax = ShapeInference.axis(c.node().attrInt("axis", -1), r);
    Const depth = c.value(1);
    long[] o = new long[r];
    for (int i = 0, j = 0; i < r; i++) {
      o[i] = i == ax ? (depth == null ? -1 : (long) depth.realAt(0)) : s[j++];
    }
    return c.one(c.type(2), o);
  }
}
