package gradcam3d.graph;

import gradcam3d.Gradcam3dException;
import gradcam3d.onnx.DataTypes;
import java.util.Arrays;

/** What a shape rule sees of its node: attributes, opset and what is known of each input. */
final class ShapeContext {
  private final Node n;
  private final TensorInfo[] in;
  private final int opset;

  ShapeContext(Node n, TensorInfo[] in, int opset) {
    this.n = n;
    this.in = in;
    this.opset = opset;
  }

  Node node() {
    return n;
  }

  int opset() {
    return opset;
  }

  /** Number of input slots (absent optional inputs included). */
  int inputs() {
    return in.length;
  }

  /** Info of input i, null when absent or unknown. */
  TensorInfo in(int i) {
    return i < in.length ? in[i] : null;
  }

  TensorInfo[] all() {
    return in;
  }

  long[] shape(int i) {
    TensorInfo t = in(i);
    return t == null ? null : t.shape();
  }

  /** Known value of input i, or null. */
  Const value(int i) {
    TensorInfo t = in(i);
    return t == null ? null : t.value();
  }

  int type(int i) {
    TensorInfo t = in(i);
    return t == null ? DataTypes.FLOAT : t.type();
  }

  boolean present(int i) {
    return !n.input(i).isEmpty();
  }

  TensorInfo[] one(int type, long[] shape) {
    return new TensorInfo[] {TensorInfo.of(type, shape)};
  }

  TensorInfo[] one(Const value) {
    return new TensorInfo[] {TensorInfo.of(value)};
  }

  /** The same type and shape as input 0 (elementwise ops). */
  TensorInfo[] likeInput() {
    return one(type(0), shape(0));
  }

  /** Every given input has a known value. */
  boolean allConst() {
    for (int i = 0; i < in.length; i++) {
      if (present(i) && (in[i] == null || in[i].value() == null)) {
        return false;
      }
    }
    return true;
  }

  Const[] values() {
    Const[] cs = new Const[in.length];
    for (int i = 0; i < in.length; i++) {
      cs[i] = value(i);
    }
    return cs;
  }

  long[][] shapes() {
    long[][] s = new long[in.length][];
    for (int i = 0; i < in.length; i++) {
      s[i] = shape(i);
    }
    return s;
  }

  /** Axes from the attribute (old opsets) or the given input (new opsets); null = none given. */
  long[] axes(int inputIndex) {
    long[] a = n.attrInts("axes");
    if (a != null) {
      return a;
    }
    if (n.input(inputIndex).isEmpty()) {
      return null;
    }
    Const v = value(inputIndex);
    if (v == null) {
      throw new Gradcam3dException(n.describe() + ": axes are computed at run time");
    }
    return v.longs();
  }

  /** A shape of the given rank with every dimension unknown. */
  static long[] unknownDims(long rank) {
    long[] s = new long[(int) rank];
    Arrays.fill(s, -1);
    return s;
  }

  /** Every output of unknown shape, typed like input 0. */
  TensorInfo[] unknown() {
    TensorInfo[] r = new TensorInfo[n.outputs().size()];
    Arrays.fill(r, TensorInfo.of(in.length > 0 && in[0] != null ? in[0].type() : DataTypes.FLOAT, null));
    return r;
  }
}
