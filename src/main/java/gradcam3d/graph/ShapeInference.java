package gradcam3d.graph;

import gradcam3d.Gradcam3dException;
import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.onnx.proto.Onnx.ValueInfoProto;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Element types, shapes and small constant values of every tensor, for concrete input shapes (or
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

  /** Output infos of one node given its inputs' infos (null entries where nothing is known). */
  public static TensorInfo[] inferNode(Node n, Function<String, TensorInfo> get, int opset) {
    TensorInfo[] in = new TensorInfo[n.inputs().size()];
    for (int i = 0; i < in.length; i++) {
      in[i] = n.input(i).isEmpty() ? null : get.apply(n.input(i));
    }
    try {
      TensorInfo[] r = new Rules(n, in, opset).run();
      return r;
    } catch (Gradcam3dException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new Gradcam3dException("cannot infer the output shape of " + n.describe()
          + " from inputs " + Arrays.toString(in) + ": " + e.getMessage(), e);
    }
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

  /** One node's inference. */
  private static final class Rules {
    private final Node n;
    private final TensorInfo[] in;
    private final int opset;

    Rules(Node n, TensorInfo[] in, int opset) {
      this.n = n;
      this.in = in;
      this.opset = opset;
    }

    TensorInfo in(int i) {
      return i < in.length ? in[i] : null;
    }

    long[] shape(int i) {
      TensorInfo t = in(i);
      return t == null ? null : t.shape();
    }

    Const c(int i) {
      TensorInfo t = in(i);
      return t == null ? null : t.value();
    }

    int type(int i) {
      TensorInfo t = in(i);
      return t == null ? DataTypes.FLOAT : t.type();
    }

    TensorInfo[] one(int type, long[] shape) {
      return new TensorInfo[] {TensorInfo.of(type, shape)};
    }

    TensorInfo[] one(Const value) {
      return new TensorInfo[] {TensorInfo.of(value)};
    }

    boolean allConst() {
      for (int i = 0; i < in.length; i++) {
        if (!n.input(i).isEmpty() && (in[i] == null || in[i].value() == null)) {
          return false;
        }
      }
      return true;
    }

    /** Axes from the attribute (old opsets) or the second input (new opsets); null = none given. */
    long[] axes(int inputIndex) {
      long[] a = n.attrInts("axes");
      if (a != null) {
        return a;
      }
      if (n.input(inputIndex).isEmpty()) {
        return null;
      }
      Const v = c(inputIndex);
      if (v == null) {
        throw new Gradcam3dException(n.describe() + ": axes are computed at run time");
      }
      return v.longs();
    }

    TensorInfo[] run() {
      String op = n.opType();
      if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
        return unknown();
      }
      switch (op) {
        case "Identity": case "Relu": case "LeakyRelu": case "Elu": case "Selu": case "Sigmoid":
        case "Tanh": case "Softplus": case "Softsign": case "Gelu": case "Erf": case "HardSigmoid":
        case "HardSwish": case "Sqrt": case "Exp": case "Log": case "Neg": case "Reciprocal":
        case "Abs": case "Softmax": case "LogSoftmax": case "Floor": case "Ceil": case "Round":
        case "Sign": case "Sin": case "Cos": case "Mish": case "Celu": case "ThresholdedRelu":
        case "Shrink": case "InstanceNormalization": case "LpNormalization": case "LRN":
        case "MeanVarianceNormalization": case "CumSum": case "Clip": case "PRelu": case "Trilu":
        case "Not": case "ScatterElements": case "ScatterND": case "Scatter": case "Hardmax":
        case "Tan": case "Asin": case "Acos": case "Atan": case "Sinh": case "Cosh":
          return unary();
        case "BatchNormalization":
          return new TensorInfo[] {TensorInfo.of(type(0), shape(0))};
        case "GroupNormalization":
          return one(type(0), shape(0));
        case "LayerNormalization":
          return layerNorm();
        case "Dropout": {
          return new TensorInfo[] {TensorInfo.of(type(0), shape(0)), TensorInfo.of(DataTypes.BOOL, shape(0))};
        }
        case "IsNaN": case "IsInf":
          return one(DataTypes.BOOL, shape(0));
        case "Add": case "Sub": case "Mul": case "Div": case "Pow": case "Mod": case "Max":
        case "Min": case "Sum": case "Mean": case "BitShift": case "BitwiseAnd": case "BitwiseOr":
          return binary(type(0));
        case "Equal": case "Less": case "Greater": case "LessOrEqual": case "GreaterOrEqual":
        case "And": case "Or": case "Xor":
          return binary(DataTypes.BOOL);
        case "Where":
          return where();
        case "Cast":
          return cast((int) n.attrInt("to", DataTypes.FLOAT));
        case "CastLike":
          return cast(type(1));
        case "Shape":
          return shapeOp();
        case "Size": {
          long[] s = shape(0);
          long numel = s == null ? -1 : Shapes.numel(s);
          return numel >= 0 ? one(Const.scalar(DataTypes.INT64, numel)) : one(DataTypes.INT64, new long[0]);
        }
        case "ConstantOfShape":
          return constantOfShape();
        case "Range":
          return range();
        case "Reshape":
          return reshape();
        case "Flatten":
          return flatten();
        case "Squeeze":
          return squeeze();
        case "Unsqueeze":
          return unsqueeze();
        case "Transpose":
          return transpose();
        case "Concat":
          return concat();
        case "Split":
          return split();
        case "Slice":
          return slice();
        case "Pad":
          return pad();
        case "Expand":
          return expand();
        case "Tile":
          return tile();
        case "Gather":
          return gather();
        case "GatherElements":
          return one(type(0), shape(1));
        case "MatMul":
          return matmul();
        case "Gemm":
          return gemm();
        case "Einsum":
          return einsum();
        case "Conv":
          return conv();
        case "ConvTranspose":
          return convTranspose();
        case "MaxPool": case "AveragePool": case "LpPool": {
          TensorInfo[] r = pool();
          if (op.equals("MaxPool") && n.outputs().size() > 1) {
            return new TensorInfo[] {r[0], TensorInfo.of(DataTypes.INT64, r[0].shape())};
          }
          return r;
        }
        case "GlobalAveragePool": case "GlobalMaxPool": case "GlobalLpPool": {
          long[] s = shape(0);
          if (s == null) {
            return one(type(0), null);
          }
          for (int i = 2; i < s.length; i++) {
            s[i] = 1;
          }
          return one(type(0), s);
        }
        case "ReduceSum": case "ReduceMean": case "ReduceMax": case "ReduceMin": case "ReduceProd":
        case "ReduceL1": case "ReduceL2": case "ReduceLogSum": case "ReduceLogSumExp":
        case "ReduceSumSquare":
          return reduce();
        case "ArgMax": case "ArgMin":
          return argReduce();
        case "Resize": case "Upsample":
          return resize();
        default:
          return unknown();
      }
    }

    TensorInfo[] unknown() {
      TensorInfo[] r = new TensorInfo[n.outputs().size()];
      for (int i = 0; i < r.length; i++) {
        r[i] = TensorInfo.of(in.length > 0 && in[0] != null ? in[0].type() : DataTypes.FLOAT, null);
      }
      return r;
    }

    TensorInfo[] unary() {
      Const v = c(0);
      if (v != null && allConstOrAbsent()) {
        Const r = ConstEval.unary(n, v);
        if (r != null) {
          return one(r);
        }
      }
      return one(type(0), shape(0));
    }

    boolean allConstOrAbsent() {
      for (int i = 1; i < in.length; i++) {
        if (!n.input(i).isEmpty() && c(i) == null) {
          return false;
        }
      }
      return true;
    }

    TensorInfo[] layerNorm() {
      long[] s = shape(0);
      TensorInfo y = TensorInfo.of(type(0), s);
      if (s == null) {
        return new TensorInfo[] {y, TensorInfo.of(DataTypes.FLOAT, null), TensorInfo.of(DataTypes.FLOAT, null)};
      }
      int ax = axis(n.attrInt("axis", -1), s.length);
      long[] stat = s.clone();
      for (int i = ax; i < s.length; i++) {
        stat[i] = 1;
      }
      int st = (int) n.attrInt("stash_type", DataTypes.FLOAT);
      return new TensorInfo[] {y, TensorInfo.of(st, stat), TensorInfo.of(st, stat)};
    }

    TensorInfo[] binary(int outType) {
      long[][] shapes = new long[in.length][];
      for (int i = 0; i < in.length; i++) {
        shapes[i] = shape(i);
      }
      long[] s = broadcast(shapes);
      if (allConst()) {
        Const[] cs = new Const[in.length];
        for (int i = 0; i < in.length; i++) {
          cs[i] = c(i);
        }
        Const r = ConstEval.nary(n.opType(), cs, s, outType);
        if (r != null) {
          return one(r);
        }
      }
      return one(outType, s);
    }

    TensorInfo[] where() {
      long[] s = broadcast(shape(0), shape(1), shape(2));
      if (allConst() && s != null) {
        Const r = ConstEval.where(c(0), c(1), c(2), s);
        if (r != null) {
          return one(r);
        }
      }
      return one(type(1), s);
    }

    TensorInfo[] cast(int to) {
      Const v = c(0);
      if (v != null) {
        return one(v.cast(to));
      }
      return one(to, shape(0));
    }

    TensorInfo[] shapeOp() {
      long[] s = shape(0);
      if (s == null) {
        return one(DataTypes.INT64, new long[] {-1});
      }
      int r = s.length;
      long start = n.attrInt("start", 0);
      long end = n.attrInt("end", r);
      int a = (int) Math.max(0, Math.min(r, start < 0 ? start + r : start));
      int b = (int) Math.max(0, Math.min(r, end < 0 ? end + r : end));
      long[] part = Arrays.copyOfRange(s, a, Math.max(a, b));
      if (Shapes.isKnown(part)) {
        return one(Const.vector(part));
      }
      return one(DataTypes.INT64, new long[] {part.length});
    }

    TensorInfo[] constantOfShape() {
      TensorProto value = n.attrTensor("value");
      int t = value == null ? DataTypes.FLOAT : value.getDataType();
      Const sc = c(0);
      if (sc == null) {
        long[] ss = shape(0);
        return one(t, ss == null || ss[0] < 0 ? null : filled(ss[0]));
      }
      long[] s = sc.longs();
      long numel = Shapes.numel(s);
      if (numel <= Const.MAX_ELEMENTS) {
        double v = value == null ? 0 : TensorProtos.toDoubles(value)[0];
        double[] vals = new double[(int) numel];
        Arrays.fill(vals, v);
        Const r = Const.ofReals(DataTypes.DOUBLE, s, vals).cast(t);
        return one(r);
      }
      return one(t, s);
    }

    long[] filled(long rank) {
      long[] s = new long[(int) rank];
      Arrays.fill(s, -1);
      return s;
    }

    TensorInfo[] range() {
      if (allConst()) {
        double start = c(0).realAt(0);
        double limit = c(1).realAt(0);
        double delta = c(2).realAt(0);
        long count = Math.max((long) Math.ceil((limit - start) / delta), 0);
        if (count <= Const.MAX_ELEMENTS) {
          double[] v = new double[(int) count];
          for (int i = 0; i < count; i++) {
            v[i] = start + i * delta;
          }
          return one(Const.ofReals(DataTypes.DOUBLE, new long[] {count}, v).cast(type(0)));
        }
        return one(type(0), new long[] {count});
      }
      return one(type(0), new long[] {-1});
    }

    TensorInfo[] reshape() {
      long[] target;
      if (opset < 5 && n.attrInts("shape") != null) {
        target = n.attrInts("shape");
      } else {
        Const sc = c(1);
        if (sc == null) {
          long[] ss = shape(1);
          return one(type(0), ss == null || ss[0] < 0 ? null : filled(ss[0]));
        }
        target = sc.longs();
      }
      long[] s = shape(0);
      boolean allowZero = n.attrInt("allowzero", 0) != 0;
      long[] out = target.clone();
      int inferAt = -1;
      long known = 1;
      for (int i = 0; i < out.length; i++) {
        if (out[i] == 0 && !allowZero) {
          out[i] = s == null || i >= s.length ? -1 : s[i];
        }
        if (out[i] == -1 && target[i] == -1) {
          inferAt = i;
        } else if (out[i] < 0) {
          known = -1;
        } else if (known >= 0) {
          known *= out[i];
        }
      }
      if (inferAt >= 0) {
        long total = s == null ? -1 : Shapes.numel(s);
        out[inferAt] = total >= 0 && known > 0 ? total / known : -1;
      }
      Const v = c(0);
      if (v != null && Shapes.isKnown(out)) {
        return one(v.reshape(out));
      }
      return one(type(0), out);
    }

    TensorInfo[] flatten() {
      long[] s = shape(0);
      if (s == null) {
        return one(type(0), new long[] {-1, -1});
      }
      int ax = (int) n.attrInt("axis", 1);
      if (ax < 0) {
        ax += s.length;
      }
      long a = Shapes.numel(Arrays.copyOfRange(s, 0, ax));
      long b = Shapes.numel(Arrays.copyOfRange(s, ax, s.length));
      long[] out = {a, b};
      Const v = c(0);
      return v != null && Shapes.isKnown(out) ? one(v.reshape(out)) : one(type(0), out);
    }

    TensorInfo[] squeeze() {
      long[] s = shape(0);
      if (s == null) {
        return one(type(0), null);
      }
      long[] ax = axes(1);
      List<Long> out = new ArrayList<>();
      boolean[] drop = new boolean[s.length];
      if (ax == null) {
        for (int i = 0; i < s.length; i++) {
          drop[i] = s[i] == 1;
        }
      } else {
        for (long a : ax) {
          drop[axis(a, s.length)] = true;
        }
      }
      for (int i = 0; i < s.length; i++) {
        if (!drop[i]) {
          out.add(s[i]);
        }
      }
      long[] o = out.stream().mapToLong(Long::longValue).toArray();
      Const v = c(0);
      return v != null ? one(v.reshape(o)) : one(type(0), o);
    }

    TensorInfo[] unsqueeze() {
      long[] s = shape(0);
      long[] ax = axes(1);
      if (s == null) {
        return one(type(0), null);
      }
      int r = s.length + ax.length;
      boolean[] ins = new boolean[r];
      for (long a : ax) {
        ins[axis(a, r)] = true;
      }
      long[] o = new long[r];
      int j = 0;
      for (int i = 0; i < r; i++) {
        o[i] = ins[i] ? 1 : s[j++];
      }
      Const v = c(0);
      return v != null ? one(v.reshape(o)) : one(type(0), o);
    }

    TensorInfo[] transpose() {
      long[] s = shape(0);
      if (s == null) {
        return one(type(0), null);
      }
      long[] perm = n.attrInts("perm");
      if (perm == null) {
        perm = new long[s.length];
        for (int i = 0; i < s.length; i++) {
          perm[i] = s.length - 1 - i;
        }
      }
      long[] o = new long[s.length];
      for (int i = 0; i < s.length; i++) {
        o[i] = s[(int) perm[i]];
      }
      Const v = c(0);
      if (v != null) {
        return one(ConstEval.transpose(v, perm));
      }
      return one(type(0), o);
    }

    TensorInfo[] concat() {
      long[] first = null;
      for (int i = 0; i < in.length; i++) {
        if (shape(i) != null) {
          first = shape(i);
          break;
        }
      }
      if (first == null) {
        return one(type(0), null);
      }
      int ax = axis(n.attrInt("axis", 0), first.length);
      long[] o = first.clone();
      long sum = 0;
      for (int i = 0; i < in.length; i++) {
        long[] s = shape(i);
        if (s == null || s[ax] < 0 || sum < 0) {
          sum = -1;
        } else {
          sum += s[ax];
        }
        if (s != null) {
          for (int d = 0; d < o.length; d++) {
            if (d != ax && o[d] < 0) {
              o[d] = s[d];
            } else if (d != ax && s[d] >= 0 && s[d] != o[d]) {
              throw new IllegalArgumentException("it joins tensors of shapes " + Shapes.format(first)
                  + " and " + Shapes.format(s) + " along axis " + ax);
            }
          }
        }
      }
      o[ax] = sum;
      if (allConst()) {
        Const[] cs = new Const[in.length];
        for (int i = 0; i < in.length; i++) {
          cs[i] = c(i);
        }
        return one(ConstEval.concat(cs, ax, o));
      }
      return one(type(0), o);
    }

    /** Sizes of the pieces a Split node makes along its axis. */
    TensorInfo[] split() {
      long[] s = shape(0);
      int outs = n.outputs().size();
      if (s == null) {
        TensorInfo[] r = new TensorInfo[outs];
        Arrays.fill(r, TensorInfo.of(type(0), null));
        return r;
      }
      int ax = axis(n.attrInt("axis", 0), s.length);
      long[] sizes = splitSizes(n, s[ax], outs, c(1), opset);
      TensorInfo[] r = new TensorInfo[outs];
      for (int i = 0; i < outs; i++) {
        long[] o = s.clone();
        o[ax] = sizes == null ? -1 : sizes[i];
        r[i] = TensorInfo.of(type(0), o);
      }
      return r;
    }

    TensorInfo[] slice() {
      long[] s = shape(0);
      long[] starts;
      long[] ends;
      long[] axes;
      long[] steps;
      if (opset < 10) {
        starts = n.attrInts("starts");
        ends = n.attrInts("ends");
        axes = n.attrInts("axes");
        steps = null;
      } else {
        if (c(1) == null || c(2) == null || (!n.input(3).isEmpty() && c(3) == null)
            || (!n.input(4).isEmpty() && c(4) == null)) {
          if (s == null) {
            return one(type(0), null);
          }
          long[] o = s.clone();
          Const ax = n.input(3).isEmpty() ? null : c(3);
          if (ax == null) {
            Arrays.fill(o, -1);
          } else {
            for (long a : ax.longs()) {
              o[axis(a, s.length)] = -1;
            }
          }
          return one(type(0), o);
        }
        starts = c(1).longs();
        ends = c(2).longs();
        axes = n.input(3).isEmpty() ? null : c(3).longs();
        steps = n.input(4).isEmpty() ? null : c(4).longs();
      }
      if (s == null) {
        return one(type(0), null);
      }
      SliceSpec spec = SliceSpec.of(s, starts, ends, axes, steps);
      Const v = c(0);
      if (v != null) {
        return one(ConstEval.slice(v, spec));
      }
      return one(type(0), spec.outShape());
    }

    TensorInfo[] pad() {
      long[] s = shape(0);
      if (s == null) {
        return one(type(0), null);
      }
      long[] pads = padAmounts(n, s.length, c(1), n.input(3).isEmpty() ? null : c(3), opset);
      if (pads == null) {
        long[] o = new long[s.length];
        Arrays.fill(o, -1);
        return one(type(0), o);
      }
      long[] o = new long[s.length];
      for (int i = 0; i < s.length; i++) {
        o[i] = s[i] < 0 ? -1 : s[i] + pads[i] + pads[i + s.length];
      }
      return one(type(0), o);
    }

    TensorInfo[] expand() {
      Const sc = c(1);
      if (sc == null) {
        return one(type(0), null);
      }
      long[] o = broadcast(shape(0), sc.longs());
      Const v = c(0);
      if (v != null && o != null && Shapes.numel(o) <= Const.MAX_ELEMENTS) {
        return one(ConstEval.expand(v, o));
      }
      return one(type(0), o);
    }

    TensorInfo[] tile() {
      long[] s = shape(0);
      Const rc = c(1);
      if (s == null || rc == null) {
        return one(type(0), s == null ? null : filled(s.length));
      }
      long[] r = rc.longs();
      long[] o = new long[s.length];
      for (int i = 0; i < s.length; i++) {
        o[i] = s[i] < 0 ? -1 : s[i] * r[i];
      }
      return one(type(0), o);
    }

    TensorInfo[] gather() {
      long[] s = shape(0);
      long[] is = shape(1);
      if (s == null || is == null) {
        return one(type(0), null);
      }
      int ax = axis(n.attrInt("axis", 0), s.length);
      long[] o = new long[s.length - 1 + is.length];
      int j = 0;
      for (int i = 0; i < ax; i++) {
        o[j++] = s[i];
      }
      for (long d : is) {
        o[j++] = d;
      }
      for (int i = ax + 1; i < s.length; i++) {
        o[j++] = s[i];
      }
      if (c(0) != null && c(1) != null) {
        return one(ConstEval.gather(c(0), c(1), ax, o));
      }
      return one(type(0), o);
    }

    TensorInfo[] matmul() {
      long[] a = shape(0);
      long[] b = shape(1);
      if (a == null || b == null) {
        return one(type(0), null);
      }
      boolean va = a.length == 1;
      boolean vb = b.length == 1;
      long[] aa = va ? new long[] {1, a[0]} : a;
      long[] bb = vb ? new long[] {b[0], 1} : b;
      long[] batch = broadcast(Arrays.copyOf(aa, aa.length - 2), Arrays.copyOf(bb, bb.length - 2));
      List<Long> o = new ArrayList<>();
      for (long d : batch) {
        o.add(d);
      }
      if (!va) {
        o.add(aa[aa.length - 2]);
      }
      if (!vb) {
        o.add(bb[bb.length - 1]);
      }
      return one(type(0), o.stream().mapToLong(Long::longValue).toArray());
    }

    TensorInfo[] gemm() {
      long[] a = shape(0);
      long[] b = shape(1);
      if (a == null || b == null) {
        return one(type(0), null);
      }
      long m = n.attrInt("transA", 0) != 0 ? a[1] : a[0];
      long nn = n.attrInt("transB", 0) != 0 ? b[0] : b[1];
      return one(type(0), new long[] {m, nn});
    }

    TensorInfo[] einsum() {
      long[][] shapes = new long[in.length][];
      for (int i = 0; i < in.length; i++) {
        shapes[i] = shape(i);
        if (shapes[i] == null) {
          return one(type(0), null);
        }
      }
      EinsumSpec e = EinsumSpec.parse(n.attrString("equation", ""), shapes);
      return one(type(0), e.outputShape());
    }

    TensorInfo[] conv() {
      long[] x = shape(0);
      long[] w = shape(1);
      if (x == null) {
        return one(type(0), null);
      }
      int r = x.length - 2;
      long[] kernel = w == null ? null : Arrays.copyOfRange(w, 2, w.length);
      ConvGeometry g = ConvGeometry.forward(n, Arrays.copyOfRange(x, 2, x.length), kernel);
      long[] sp = g.forwardOutput(Arrays.copyOfRange(x, 2, x.length));
      long[] o = new long[r + 2];
      o[0] = x[0];
      o[1] = w == null ? -1 : w[0];
      System.arraycopy(sp, 0, o, 2, r);
      return one(type(0), o);
    }

    TensorInfo[] convTranspose() {
      long[] x = shape(0);
      long[] w = shape(1);
      if (x == null || w == null) {
        return one(type(0), null);
      }
      int r = x.length - 2;
      long[] inSp = Arrays.copyOfRange(x, 2, x.length);
      ConvGeometry g = ConvGeometry.transposed(n, inSp, Arrays.copyOfRange(w, 2, w.length));
      long[] sp = g.transposedOutput(inSp);
      long[] o = new long[r + 2];
      o[0] = x[0];
      o[1] = w[1] * n.attrInt("group", 1);
      System.arraycopy(sp, 0, o, 2, r);
      return one(type(0), o);
    }

    TensorInfo[] pool() {
      long[] x = shape(0);
      if (x == null) {
        return one(type(0), null);
      }
      long[] inSp = Arrays.copyOfRange(x, 2, x.length);
      ConvGeometry g = ConvGeometry.forward(n, inSp, null);
      long[] sp = g.forwardOutput(inSp);
      long[] o = new long[x.length];
      o[0] = x[0];
      o[1] = x[1];
      System.arraycopy(sp, 0, o, 2, sp.length);
      return one(type(0), o);
    }

    TensorInfo[] reduce() {
      long[] s = shape(0);
      if (s == null) {
        return one(type(0), null);
      }
      boolean axesAsInput = opset >= 18 || (n.opType().equals("ReduceSum") && opset >= 13);
      long[] ax = axesAsInput ? (n.input(1).isEmpty() ? null : axes(1)) : n.attrInts("axes");
      boolean keep = n.attrInt("keepdims", 1) != 0;
      boolean noop = n.attrInt("noop_with_empty_axes", 0) != 0;
      boolean[] red = reducedAxes(s.length, ax, noop);
      List<Long> o = new ArrayList<>();
      for (int i = 0; i < s.length; i++) {
        if (!red[i]) {
          o.add(s[i]);
        } else if (keep) {
          o.add(1L);
        }
      }
      long[] out = o.stream().mapToLong(Long::longValue).toArray();
      Const v = c(0);
      if (v != null && (n.opType().equals("ReduceProd") || n.opType().equals("ReduceSum")
          || n.opType().equals("ReduceMax") || n.opType().equals("ReduceMin"))) {
        return one(ConstEval.reduce(n.opType(), v, red, out));
      }
      return one(type(0), out);
    }

    TensorInfo[] argReduce() {
      long[] s = shape(0);
      if (s == null) {
        return one(DataTypes.INT64, null);
      }
      int ax = axis(n.attrInt("axis", 0), s.length);
      boolean keep = n.attrInt("keepdims", 1) != 0;
      List<Long> o = new ArrayList<>();
      for (int i = 0; i < s.length; i++) {
        if (i != ax) {
          o.add(s[i]);
        } else if (keep) {
          o.add(1L);
        }
      }
      return one(DataTypes.INT64, o.stream().mapToLong(Long::longValue).toArray());
    }

    TensorInfo[] resize() {
      long[] s = shape(0);
      if (s == null) {
        return one(type(0), null);
      }
      ResizeSpec spec = ResizeSpec.of(n, s, in, opset);
      return one(type(0), spec == null ? filled(s.length) : spec.outShape());
    }
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
