package gradcam3d.onnx;

import com.google.protobuf.ByteString;
import gradcam3d.Gradcam3dException;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.tensor.Float16;
import gradcam3d.tensor.Shapes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Decoding and encoding of TensorProto contents (raw_data little-endian or the typed fields). */
public final class TensorProtos {
  private TensorProtos() {}

  public static long[] dims(TensorProto t) {
    long[] d = new long[t.getDimsCount()];
    for (int i = 0; i < d.length; i++) {
      d[i] = t.getDims(i);
    }
    return d;
  }

  public static int count(TensorProto t) {
    return Math.toIntExact(Shapes.numel(dims(t)));
  }

  /**
   * The element count of {@code t}'s dims, refusing negative dims and counts beyond what one Java
   * array holds; {@code label} names the model in the message.
   */
  public static long checkedCount(TensorProto t, String label) {
    long n = 1;
    for (long d : dims(t)) {
      if (d < 0) {
        throw new Gradcam3dException(label + ": tensor '" + t.getName() + "' has a negative"
            + " dimension in its dims " + Shapes.format(dims(t)) + ".");
      }
      // saturates instead of overflowing; a later 0 still makes the count 0
      n = d != 0 && n > Integer.MAX_VALUE / d ? Long.MAX_VALUE : n * d;
    }
    if (n > Integer.MAX_VALUE - 8) {
      throw new Gradcam3dException(label + ": tensor '" + t.getName() + "' has dims "
          + Shapes.format(dims(t)) + ", more than the " + (Integer.MAX_VALUE - 8)
          + " elements one tensor may hold.");
    }
    return n;
  }

  /**
   * Checks that an inline tensor holds exactly the data its dims call for (raw_data bytes or the
   * typed field's values), so dims that contradict the data are reported with the tensor's name
   * when the model is read, not later by whatever uses it. External tensors are checked on load.
   */
  public static void checkStoredSize(TensorProto t, String label) {
    long n = checkedCount(t, label);
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      return;
    }
    int type = t.getDataType();
    long have;
    String unit;
    long want;
    if (t.hasRawData()) {
      int size = DataTypes.size(type);
      if (size < 0) {
        return; // strings and types gradcam3d never decodes
      }
      have = t.getRawData().size();
      want = n * size;
      unit = "bytes";
    } else {
      have = typedCount(t);
      if (have < 0) {
        return;
      }
      want = n;
      unit = "values";
    }
    if (have != want) {
      throw new Gradcam3dException(label + ": tensor '" + t.getName() + "' has dims "
          + Shapes.format(dims(t)) + " (" + n + " elements) but holds " + have + " " + unit
          + " of data (" + want + " needed); the model file is damaged or inconsistent.");
    }
  }

  /** Values in the typed field that holds this data type (ONNX's rules), or -1 when unknown. */
  private static long typedCount(TensorProto t) {
    switch (t.getDataType()) {
      case DataTypes.FLOAT: return t.getFloatDataCount();
      case DataTypes.DOUBLE: return t.getDoubleDataCount();
      case DataTypes.INT64: return t.getInt64DataCount();
      case DataTypes.UINT32: case DataTypes.UINT64: return t.getUint64DataCount();
      case DataTypes.INT32: case DataTypes.INT16: case DataTypes.INT8: case DataTypes.UINT16:
      case DataTypes.UINT8: case DataTypes.BOOL: case DataTypes.FLOAT16: case DataTypes.BFLOAT16:
        return t.getInt32DataCount();
      case DataTypes.STRING: return t.getStringDataCount();
      default: return -1;
    }
  }

  private static ByteBuffer raw(TensorProto t) {
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      throw new IllegalStateException("external data of tensor '" + t.getName() + "' was not loaded");
    }
    return t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void checkRaw(TensorProto t, int n, int elemSize) {
    if (t.getRawData().size() != (long) n * elemSize) {
      throw new Gradcam3dException("tensor '" + t.getName() + "' holds " + t.getRawData().size()
          + " bytes of data but its shape " + Shapes.format(dims(t)) + " needs " + (long) n * elemSize);
    }
  }

  /** Values as doubles (floats, doubles, float16 and integers; large int64 lose precision). */
  public static double[] toDoubles(TensorProto t) {
    int type = t.getDataType();
    if (DataTypes.isInteger(type)) {
      long[] l = toLongs(t);
      double[] d = new double[l.length];
      for (int i = 0; i < l.length; i++) {
        d[i] = l[i];
      }
      return d;
    }
    int n = count(t);
    double[] out = new double[n];
    if (t.hasRawData()) {
      checkRaw(t, n, DataTypes.size(type));
      ByteBuffer b = raw(t);
      for (int i = 0; i < n; i++) {
        switch (type) {
          case DataTypes.FLOAT: out[i] = b.getFloat(); break;
          case DataTypes.DOUBLE: out[i] = b.getDouble(); break;
          case DataTypes.FLOAT16: out[i] = Float16.toFloat(b.getShort()); break;
          case DataTypes.BFLOAT16: out[i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16); break;
          default: throw unsupported(t);
        }
      }
      return out;
    }
    switch (type) {
      case DataTypes.FLOAT:
        checkCount(t, t.getFloatDataCount(), n);
        for (int i = 0; i < n; i++) {
          out[i] = t.getFloatData(i);
        }
        return out;
      case DataTypes.DOUBLE:
        checkCount(t, t.getDoubleDataCount(), n);
        for (int i = 0; i < n; i++) {
          out[i] = t.getDoubleData(i);
        }
        return out;
      case DataTypes.FLOAT16:
        checkCount(t, t.getInt32DataCount(), n);
        for (int i = 0; i < n; i++) {
          out[i] = Float16.toFloat((short) t.getInt32Data(i));
        }
        return out;
      case DataTypes.BFLOAT16:
        checkCount(t, t.getInt32DataCount(), n);
        for (int i = 0; i < n; i++) {
          out[i] = Float.intBitsToFloat((t.getInt32Data(i) & 0xffff) << 16);
        }
        return out;
      default:
        throw unsupported(t);
    }
  }

  public static float[] toFloats(TensorProto t) {
    if (t.getDataType() == DataTypes.FLOAT && t.hasRawData()) {
      int n = count(t);
      checkRaw(t, n, 4);
      float[] out = new float[n];
      raw(t).asFloatBuffer().get(out);
      return out;
    }
    double[] d = toDoubles(t);
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  /** Integer (and bool) tensors as longs; floating tensors are truncated. */
  public static long[] toLongs(TensorProto t) {
    int type = t.getDataType();
    int n = count(t);
    long[] out = new long[n];
    if (DataTypes.isFloating(type)) {
      double[] d = toDoubles(t);
      for (int i = 0; i < n; i++) {
        out[i] = (long) d[i];
      }
      return out;
    }
    if (t.hasRawData()) {
      checkRaw(t, n, DataTypes.size(type));
      ByteBuffer b = raw(t);
      for (int i = 0; i < n; i++) {
        switch (type) {
          case DataTypes.INT64: case DataTypes.UINT64: out[i] = b.getLong(); break;
          case DataTypes.INT32: out[i] = b.getInt(); break;
          case DataTypes.UINT32: out[i] = b.getInt() & 0xffffffffL; break;
          case DataTypes.INT16: out[i] = b.getShort(); break;
          case DataTypes.UINT16: out[i] = b.getShort() & 0xffff; break;
          case DataTypes.INT8: out[i] = b.get(); break;
          case DataTypes.UINT8: case DataTypes.BOOL: out[i] = b.get() & 0xff; break;
          default: throw unsupported(t);
        }
      }
      return out;
    }
    switch (type) {
      case DataTypes.INT64:
        checkCount(t, t.getInt64DataCount(), n);
        for (int i = 0; i < n; i++) {
          out[i] = t.getInt64Data(i);
        }
        return out;
      case DataTypes.UINT64:
      case DataTypes.UINT32:
        checkCount(t, t.getUint64DataCount(), n);
        for (int i = 0; i < n; i++) {
          out[i] = t.getUint64Data(i);
        }
        return out;
      case DataTypes.INT32: case DataTypes.INT16: case DataTypes.UINT16: case DataTypes.INT8:
      case DataTypes.UINT8: case DataTypes.BOOL:
        checkCount(t, t.getInt32DataCount(), n);
        for (int i = 0; i < n; i++) {
          out[i] = t.getInt32Data(i);
        }
        return out;
      default:
        throw unsupported(t);
    }
  }

  private static void checkCount(TensorProto t, int have, int want) {
    if (have != want) {
      throw new Gradcam3dException("tensor '" + t.getName() + "' holds " + have
          + " values but its shape " + Shapes.format(dims(t)) + " needs " + want);
    }
  }

  private static Gradcam3dException unsupported(TensorProto t) {
    return new Gradcam3dException("tensor '" + t.getName() + "' has data type "
        + DataTypes.name(t.getDataType()) + ", which gradcam3d cannot read");
  }

  public static TensorProto ofFloats(String name, float[] values, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return TensorProto.newBuilder().setName(name).setDataType(DataTypes.FLOAT)
        .addAllDims(box(dims)).setRawData(ByteString.copyFrom(b.array())).build();
  }

  public static TensorProto ofLongs(String name, long[] values, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return TensorProto.newBuilder().setName(name).setDataType(DataTypes.INT64)
        .addAllDims(box(dims)).setRawData(ByteString.copyFrom(b.array())).build();
  }

  /** A tensor of any numeric type from double values (cast to the type). */
  public static TensorProto of(String name, int type, double[] values, long... dims) {
    int size = DataTypes.size(type);
    ByteBuffer b = ByteBuffer.allocate(values.length * size).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      switch (type) {
        case DataTypes.FLOAT: b.putFloat((float) v); break;
        case DataTypes.DOUBLE: b.putDouble(v); break;
        case DataTypes.FLOAT16: b.putShort(Float16.fromFloat((float) v)); break;
        case DataTypes.INT64: case DataTypes.UINT64: b.putLong((long) v); break;
        case DataTypes.INT32: case DataTypes.UINT32: b.putInt((int) (long) v); break;
        case DataTypes.INT16: case DataTypes.UINT16: b.putShort((short) (long) v); break;
        case DataTypes.INT8: case DataTypes.UINT8: b.put((byte) (long) v); break;
        case DataTypes.BOOL: b.put((byte) (v != 0 ? 1 : 0)); break;
        default: throw new IllegalArgumentException("type " + DataTypes.name(type));
      }
    }
    return TensorProto.newBuilder().setName(name).setDataType(type)
        .addAllDims(box(dims)).setRawData(ByteString.copyFrom(b.array())).build();
  }

  private static java.util.List<Long> box(long[] dims) {
    java.util.List<Long> l = new java.util.ArrayList<>(dims.length);
    for (long d : dims) {
      l.add(d);
    }
    return l;
  }
}
