package gradcam3d.onnx;

/** ONNX TensorProto.DataType codes and their properties. */
public final class DataTypes {
  public static final int UNDEFINED = 0;
  public static final int FLOAT = 1;
  public static final int UINT8 = 2;
  public static final int INT8 = 3;
  public static final int UINT16 = 4;
  public static final int INT16 = 5;
  public static final int INT32 = 6;
  public static final int INT64 = 7;
  public static final int STRING = 8;
  public static final int BOOL = 9;
  public static final int FLOAT16 = 10;
  public static final int DOUBLE = 11;
  public static final int UINT32 = 12;
  public static final int UINT64 = 13;
  public static final int BFLOAT16 = 16;

  private DataTypes() {}

  public static boolean isFloating(int t) {
    return t == FLOAT || t == DOUBLE || t == FLOAT16 || t == BFLOAT16;
  }

  public static boolean isInteger(int t) {
    return t == UINT8 || t == INT8 || t == UINT16 || t == INT16 || t == INT32 || t == INT64
        || t == UINT32 || t == UINT64 || t == BOOL;
  }

  /** Bytes per element, or -1 for strings and unknown codes. */
  public static int size(int t) {
    switch (t) {
      case UINT8: case INT8: case BOOL: return 1;
      case UINT16: case INT16: case FLOAT16: case BFLOAT16: return 2;
      case FLOAT: case INT32: case UINT32: return 4;
      case INT64: case DOUBLE: case UINT64: return 8;
      default: return -1;
    }
  }

  public static String name(int t) {
    switch (t) {
      case FLOAT: return "float32";
      case UINT8: return "uint8";
      case INT8: return "int8";
      case UINT16: return "uint16";
      case INT16: return "int16";
      case INT32: return "int32";
      case INT64: return "int64";
      case STRING: return "string";
      case BOOL: return "bool";
      case FLOAT16: return "float16";
      case DOUBLE: return "float64";
      case UINT32: return "uint32";
      case UINT64: return "uint64";
      case BFLOAT16: return "bfloat16";
      default: return "type" + t;
    }
  }
}
