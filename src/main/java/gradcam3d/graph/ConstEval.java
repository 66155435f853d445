package gradcam3d.graph;

import gradcam3d.onnx.DataTypes;
import gradcam3d.tensor.Shapes;

/** Evaluation of ops on small known tensors (shape arithmetic), with numpy broadcasting. */
final class ConstEval {
  private ConstEval() {}

  static Const unary(Node n, Const v) {
    double[] d = v.reals();
    boolean fl = v.isFloating();
    for (int i = 0; i < d.length; i++) {
      double x = d[i];
      switch (n.opType()) {
        case "Identity": break;
        case "Neg": x = -x; break;
        case "Abs": x = Math.abs(x); break;
        case "Floor": x = Math.floor(x); break;
        case "Ceil": x = Math.ceil(x); break;
        case "Round": x = Math.rint(x); break;
        case "Sqrt": x = Math.sqrt(x); break;
        case "Exp": x = Math.exp(x); break;
        case "Log": x = Math.log(x); break;
        case "Relu": x = Math.max(x, 0); break;
        case "Sign": x = Math.signum(x); break;
        case "Reciprocal": x = 1 / x; break;
        case "Not": x = x == 0 ? 1 : 0; break;
        default: return null;
      }
      d[i] = x;
    }
    return fl ? Const.ofReals(v.type(), v.shape(), d).cast(v.type())
        : Const.ofReals(DataTypes.DOUBLE, v.shape(), d).cast(v.type());
  }

  private static int[] index(long[] shape, long[] out) {
    // maps every flat output index to the broadcast input's flat index
    int n = (int) Shapes.numel(out);
    int[] idx = new int[n];
    long[] inStr = Shapes.strides(shape);
    int off = out.length - shape.length;
    long[] outStr = Shapes.strides(out);
    for (int i = 0; i < n; i++) {
      long rem = i;
      long j = 0;
      for (int a = 0; a < out.length; a++) {
        long c = rem / outStr[a];
        rem %= outStr[a];
        int ia = a - off;
        if (ia >= 0 && shape[ia] != 1) {
          j += c * inStr[ia];
        }
      }
      idx[i] = (int) j;
    }
    return idx;
  }

  static Const nary(String op, Const[] in, long[] out, int outType) {
    if (out == null || !Shapes.isKnown(out) || Shapes.numel(out) > Const.MAX_ELEMENTS) {
      return null;
    }
    int n = (int) Shapes.numel(out);
    boolean fl = false;
    for (Const c : in) {
      fl |= c.isFloating();
    }
    int[][] idx = new int[in.length][];
    for (int k = 0; k < in.length; k++) {
      idx[k] = index(in[k].shape(), out);
    }
    if (fl) {
      double[] r = new double[n];
      for (int i = 0; i < n; i++) {
        double acc = in[0].realAt(idx[0][i]);
        for (int k = 1; k < in.length; k++) {
          double b = in[k].realAt(idx[k][i]);
          switch (op) {
            case "Add": case "Sum": case "Mean": acc += b; break;
            case "Sub": acc -= b; break;
            case "Mul": acc *= b; break;
            case "Div": acc /= b; break;
            case "Pow": acc = Math.pow(acc, b); break;
            case "Max": acc = Math.max(acc, b); break;
            case "Min": acc = Math.min(acc, b); break;
            case "Mod": acc = acc % b; break;
            case "Equal": acc = acc == b ? 1 : 0; break;
            case "Less": acc = acc < b ? 1 : 0; break;
            case "Greater": acc = acc > b ? 1 : 0; break;
            case "LessOrEqual": acc = acc <= b ? 1 : 0; break;
            case "GreaterOrEqual": acc = acc >= b ? 1 : 0; break;
            default: return null;
          }
        }
        if (op.equals("Mean")) {
          acc /= in.length;
        }
        r[i] = acc;
      }
      return Const.ofReals(DataTypes.DOUBLE, out, r).cast(outType);
    }
    long[] r = new long[n];
    for (int i = 0; i < n; i++) {
      long acc = in[0].longAt(idx[0][i]);
      for (int k = 1; k < in.length; k++) {
        long b = in[k].longAt(idx[k][i]);
        switch (op) {
          case "Add": case "Sum": acc += b; break;
          case "Sub": acc -= b; break;
          case "Mul": acc *= b; break;
          case "Div": acc = b == 0 ? 0 : acc / b; break;
          case "Pow": acc = (long) Math.pow(acc, b); break;
          case "Max": acc = Math.max(acc, b); break;
          case "Min": acc = Math.min(acc, b); break;
          case "Mod": acc = b == 0 ? 0 : Math.floorMod(acc, b); break;
          case "Equal": acc = acc == b ? 1 : 0; break;
          case "Less": acc = acc < b ? 1 : 0; break;
          case "Greater": acc = acc > b ? 1 : 0; break;
          case "LessOrEqual": acc = acc <= b ? 1 : 0; break;
          case "GreaterOrEqual": acc = acc >= b ? 1 : 0; break;
          case "And": acc = (acc != 0 && b != 0) ? 1 : 0; break;
          case "Or": acc = (acc != 0 || b != 0) ? 1 : 0; break;
          case "Xor": acc = ((acc != 0) ^ (b != 0)) ? 1 : 0; break;
          default: return null;
        }
      }
      r[i] = acc;
    }
    return Const.ofInts(outType, out, r);
  }

  static Const where(Const c, Const a, Const b, long[] out) {
    if (!Shapes.isKnown(out) || Shapes.numel(out) > Const.MAX_ELEMENTS) {
      return null;
    }
    int n = (int) Shapes.numel(out);
    int[] ic = index(c.shape(), out);
    int[] ia = index(a.shape(), out);
    int[] ib = index(b.shape(), out);
    if (a.isFloating()) {
      double[] r = new double[n];
      for (int i = 0; i < n; i++) {
        r[i] = c.longAt(ic[i]) != 0 ? a.realAt(ia[i]) : b.realAt(ib[i]);
      }
      return Const.ofReals(a.type(), out, r);
    }
    long[] r = new long[n];
    for (int i = 0; i < n; i++) {
      r[i] = c.longAt(ic[i]) != 0 ? a.longAt(ia[i]) : b.longAt(ib[i]);
    }
    return Const.ofInts(a.type(), out, r);
  }

  static Const expand(Const v, long[] out) {
    int[] idx = index(v.shape(), out);
    return gatherFlat(v, idx, out);
  }

  private static Const gatherFlat(Const v, int[] idx, long[] out) {
    if (v.isFloating()) {
      double[] r = new double[idx.length];
      for (int i = 0; i < idx.length; i++) {
        r[i] = v.realAt(idx[i]);
      }
      return Const.ofReals(v.type(), out, r);
    }
    long[] r = new long[idx.length];
    for (int i = 0; i < idx.length; i++) {
      r[i] = v.longAt(idx[i]);
    }
    return Const.ofInts(v.type(), out, r);
  }

  static Const transpose(Const v, long[] perm) {
    long[] s = v.shape();
    long[] o = new long[s.length];
    for (int i = 0; i < s.length; i++) {
      o[i] = s[(int) perm[i]];
    }
    long[] inStr = Shapes.strides(s);
    long[] outStr = Shapes.strides(o);
    int n = v.size();
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      long rem = i;
      long j = 0;
      for (int a = 0; a < o.length; a++) {
        long c = rem / outStr[a];
        rem %= outStr[a];
        j += c * inStr[(int) perm[a]];
      }
      idx[i] = (int) j;
    }
    return gatherFlat(v, idx, o);
  }

  static Const concat(Const[] in, int axis, long[] out) {
    int n = (int) Shapes.numel(out);
    int[] src = new int[n];
    int[] which = new int[n];
    long[] outStr = Shapes.strides(out);
    for (int i = 0; i < n; i++) {
      long c = (i / outStr[axis]) % out[axis];
      int k = 0;
      while (c >= in[k].shape()[axis]) {
        c -= in[k].shape()[axis];
        k++;
      }
      long[] s = in[k].shape();
      long[] st = Shapes.strides(s);
      long rem = i;
      long j = 0;
      for (int a = 0; a < out.length; a++) {
        long coord = rem / outStr[a];
        rem %= outStr[a];
        j += (a == axis ? c : coord) * st[a];
      }
      src[i] = (int) j;
      which[i] = k;
    }
    boolean fl = false;
    for (Const c : in) {
      fl |= c.isFloating();
    }
    if (fl) {
      double[] r = new double[n];
      for (int i = 0; i < n; i++) {
        r[i] = in[which[i]].realAt(src[i]);
      }
      return Const.ofReals(in[0].type(), out, r);
    }
    long[] r = new long[n];
    for (int i = 0; i < n; i++) {
      r[i] = in[which[i]].longAt(src[i]);
    }
    return Const.ofInts(in[0].type(), out, r);
  }

  static Const slice(Const v, SliceSpec spec) {
    long[] out = spec.outShape();
    int n = (int) Shapes.numel(out);
    long[] inStr = Shapes.strides(v.shape());
    long[] outStr = Shapes.strides(out);
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      long rem = i;
      long j = 0;
      for (int a = 0; a < out.length; a++) {
        long c = rem / outStr[a];
        rem %= outStr[a];
        j += (spec.start[a] + c * spec.step[a]) * inStr[a];
      }
      idx[i] = (int) j;
    }
    return gatherFlat(v, idx, out);
  }

  static Const gather(Const data, Const indices, int axis, long[] out) {
    long[] s = data.shape();
    long outer = Shapes.numel(java.util.Arrays.copyOfRange(s, 0, axis));
    long inner = Shapes.numel(java.util.Arrays.copyOfRange(s, axis + 1, s.length));
    int ni = indices.size();
    int[] idx = new int[(int) (outer * ni * inner)];
    int p = 0;
    for (long o = 0; o < outer; o++) {
      for (int k = 0; k < ni; k++) {
        long g = indices.longAt(k);
        if (g < 0) {
          g += s[axis];
        }
        for (long in = 0; in < inner; in++) {
          idx[p++] = (int) ((o * s[axis] + g) * inner + in);
        }
      }
    }
    return gatherFlat(data, idx, out);
  }

  static Const reduce(String op, Const v, boolean[] red, long[] out) {
    long[] s = v.shape();
    long[] keptShape = s.clone();
    for (int i = 0; i < s.length; i++) {
      if (red[i]) {
        keptShape[i] = 1;
      }
    }
    int n = (int) Shapes.numel(keptShape);
    double[] acc = new double[n];
    double init = op.equals("ReduceProd") ? 1 : op.equals("ReduceMax") ? Double.NEGATIVE_INFINITY
        : op.equals("ReduceMin") ? Double.POSITIVE_INFINITY : 0;
    java.util.Arrays.fill(acc, init);
    long[] inStr = Shapes.strides(s);
    long[] kStr = Shapes.strides(keptShape);
    for (int i = 0; i < v.size(); i++) {
      long rem = i;
      long j = 0;
      for (int a = 0; a < s.length; a++) {
        long c = rem / inStr[a];
        rem %= inStr[a];
        if (!red[a]) {
          j += c * kStr[a];
        }
      }
      double x = v.realAt(i);
      int k = (int) j;
      switch (op) {
        case "ReduceProd": acc[k] *= x; break;
        case "ReduceSum": acc[k] += x; break;
        case "ReduceMax": acc[k] = Math.max(acc[k], x); break;
        default: acc[k] = Math.min(acc[k], x); break;
      }
    }
    return Const.ofReals(DataTypes.DOUBLE, out, acc).cast(v.type());
  }
}
