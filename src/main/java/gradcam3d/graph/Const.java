package gradcam3d.graph;

import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;

/**
 * The known value of a small tensor (shape arithmetic, scalars, index lists): integers are held
 * as longs, floating values as doubles.
 */
public final class Const {
  /** Tensors up to this many elements get a known value during inference. */
  public static final int MAX_ELEMENTS = 4096;

  private final int type;
  private final long[] shape;
  private final long[] ints;
  private final double[] reals;

  private Const(int type, long[] shape, long[] ints, double[] reals) {
    this.type = type;
    this.shape = shape;
    this.ints = ints;
    this.reals = reals;
  }

  public static Const ofInts(int type, long[] shape, long[] values) {
    return new Const(type, shape.clone(), values, null);
  }

  public static Const ofReals(int type, long[] shape, double[] values) {
    return new Const(type, shape.clone(), null, values);
  }

  public static Const vector(long... values) {
    return ofInts(DataTypes.INT64, new long[] {values.length}, values.clone());
  }

  public static Const scalar(int type, double v) {
    return DataTypes.isFloating(type) ? ofReals(type, new long[0], new double[] {v})
        : ofInts(type, new long[0], new long[] {(long) v});
  }

  public static Const fromTensor(TensorProto t) {
    long[] dims = TensorProtos.dims(t);
    if (Shapes.numel(dims) > MAX_ELEMENTS || t.getDataType() == DataTypes.STRING) {
      return null;
    }
    if (DataTypes.isFloating(t.getDataType())) {
      return ofReals(t.getDataType(), dims, TensorProtos.toDoubles(t));
    }
    return ofInts(t.getDataType(), dims, TensorProtos.toLongs(t));
  }

  public TensorProto toTensor(String name) {
    if (ints != null && type == DataTypes.INT64) {
      return TensorProtos.ofLongs(name, ints, shape);
    }
    return TensorProtos.of(name, type, reals(), shape);
  }

  public int type() {
    return type;
  }

  public long[] shape() {
    return shape.clone();
  }

  public int size() {
    return ints != null ? ints.length : reals.length;
  }

  public boolean isFloating() {
    return reals != null;
  }

  public long[] longs() {
    if (ints != null) {
      return ints.clone();
    }
    long[] l = new long[reals.length];
    for (int i = 0; i < l.length; i++) {
      l[i] = (long) reals[i];
    }
    return l;
  }

  public double[] reals() {
    if (reals != null) {
      return reals.clone();
    }
    double[] d = new double[ints.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = ints[i];
    }
    return d;
  }

  public long longAt(int i) {
    return ints != null ? ints[i] : (long) reals[i];
  }

  public double realAt(int i) {
    return reals != null ? reals[i] : ints[i];
  }

  /** Same values viewed with another shape. */
  public Const reshape(long[] newShape) {
    return new Const(type, newShape.clone(), ints, reals);
  }

  /** Values cast to another element type. */
  public Const cast(int to) {
    if (DataTypes.isFloating(to)) {
      double[] d = reals();
      if (to == DataTypes.FLOAT) {
        for (int i = 0; i < d.length; i++) {
          d[i] = (float) d[i];
        }
      }
      return ofReals(to, shape, d);
    }
    long[] l = longs();
    if (to == DataTypes.BOOL) {
      for (int i = 0; i < l.length; i++) {
        l[i] = l[i] != 0 || (reals != null && reals[i] != 0) ? 1 : 0;
      }
    } else if (to == DataTypes.INT32) {
      for (int i = 0; i < l.length; i++) {
        l[i] = (int) l[i];
      }
    }
    return ofInts(to, shape, l);
  }

  @Override
  public String toString() {
    return DataTypes.name(type) + Arrays.toString(shape) + "="
        + (ints != null ? Arrays.toString(ints) : Arrays.toString(reals));
  }
}
