package gradcam3d.volume;

import gradcam3d.Gradcam3dException;
import java.nio.ByteBuffer;
import java.util.Locale;

/** The NIfTI voxel types this library reads and writes, with their header codes. */
public enum NiftiDatatype {
  UINT8(2, 8, 0, 255),
  INT8(256, 8, Byte.MIN_VALUE, Byte.MAX_VALUE),
  INT16(4, 16, Short.MIN_VALUE, Short.MAX_VALUE),
  UINT16(512, 16, 0, 65535),
  INT32(8, 32, Integer.MIN_VALUE, Integer.MAX_VALUE),
  UINT32(768, 32, 0, 4294967295.0),
  INT64(1024, 64, Long.MIN_VALUE, Long.MAX_VALUE),
  FLOAT32(16, 32, -Float.MAX_VALUE, Float.MAX_VALUE),
  FLOAT64(64, 64, -Double.MAX_VALUE, Double.MAX_VALUE);

  private final int code;
  private final int bitpix;
  private final double min;
  private final double max;

  NiftiDatatype(int code, int bitpix, double min, double max) {
    this.code = code;
    this.bitpix = bitpix;
    this.min = min;
    this.max = max;
  }

  /** The value of the header's datatype field. */
  public int code() {
    return code;
  }

  public int bitpix() {
    return bitpix;
  }

  public int bytes() {
    return bitpix / 8;
  }

  public boolean isFloat() {
    return this == FLOAT32 || this == FLOAT64;
  }

  /** Lower-case name as NumPy spells it (uint8, float32...), for messages. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The type with this header code; {@code source} names the file in the error for other codes. */
  public static NiftiDatatype fromCode(int code, String source) {
    for (NiftiDatatype t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new Gradcam3dException(source + " has NIfTI datatype " + code + " (" + knownName(code)
        + "), which is not supported; supported are uint8, int8, int16, uint16, int32, uint32,"
        + " int64, float32 and float64.");
  }

  private static String knownName(int code) {
    return switch (code) {
      case 1 -> "binary";
      case 32 -> "complex64";
      case 128 -> "RGB24";
      case 1536 -> "float128";
      case 1792 -> "complex128";
      case 2048 -> "complex256";
      case 2304 -> "RGBA32";
      default -> "an unknown code";
    };
  }

  /** Reads the {@code index}-th element of a buffer holding values of this type. */
  double get(ByteBuffer buffer, int index) {
    return switch (this) {
      case UINT8 -> buffer.get(index) & 0xff;
      case INT8 -> buffer.get(index);
      case INT16 -> buffer.getShort(index * 2);
      case UINT16 -> buffer.getShort(index * 2) & 0xffff;
      case INT32 -> buffer.getInt(index * 4);
      case UINT32 -> buffer.getInt(index * 4) & 0xffffffffL;
      case INT64 -> buffer.getLong(index * 8);
      case FLOAT32 -> buffer.getFloat(index * 4);
      case FLOAT64 -> buffer.getDouble(index * 8);
    };
  }

  /**
   * Writes a value as the {@code index}-th element. Integer types take the nearest integer; a value
   * outside an integer type's range is refused because it would wrap around silently.
   */
  void put(ByteBuffer buffer, int index, double value) {
    if (!isFloat()) {
      value = Math.rint(value);
      if (!(value >= min && value <= max)) {
        throw new Gradcam3dException("the value " + value + " does not fit in NIfTI " + label()
            + " (" + (long) min + " to " + (long) max + "); choose a wider datatype or a"
            + " scl_slope.");
      }
    }
    switch (this) {
      case UINT8, INT8 -> buffer.put(index, (byte) (long) value);
      case INT16, UINT16 -> buffer.putShort(index * 2, (short) (long) value);
      case INT32, UINT32 -> buffer.putInt(index * 4, (int) (long) value);
      case INT64 -> buffer.putLong(index * 8, (long) value);
      case FLOAT32 -> buffer.putFloat(index * 4, (float) value);
      case FLOAT64 -> buffer.putDouble(index * 8, value);
    }
  }
}
