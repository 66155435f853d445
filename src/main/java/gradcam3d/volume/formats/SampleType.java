package gradcam3d.volume.formats;

import java.nio.ByteBuffer;
import java.util.Locale;

/** The numeric voxel types NRRD, MetaImage and DICOM store, decoded to real values. */
public enum SampleType {
  INT8(1), UINT8(1), INT16(2), UINT16(2), INT32(4), UINT32(4), INT64(8), UINT64(8), FLOAT32(4), FLOAT64(8);

  private final int bytes;

  SampleType(int bytes) {
    this.bytes = bytes;
  }

  public int bytes() {
    return bytes;
  }

  /** Lower-case name as NumPy spells it, for messages. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The {@code index}-th value of a buffer of this type (in the buffer's byte order). */
  double get(ByteBuffer b, int index) {
    return switch (this) {
      case INT8 -> b.get(index);
      case UINT8 -> b.get(index) & 0xff;
      case INT16 -> b.getShort(index * 2);
      case UINT16 -> b.getShort(index * 2) & 0xffff;
      case INT32 -> b.getInt(index * 4);
      case UINT32 -> b.getInt(index * 4) & 0xffffffffL;
      case INT64 -> b.getLong(index * 8);
      case UINT64 -> unsigned(b.getLong(index * 8));
      case FLOAT32 -> b.getFloat(index * 4);
      case FLOAT64 -> b.getDouble(index * 8);
    };
  }

  private static double unsigned(long v) {
    return v >= 0 ? v : ((v >>> 1) | (v & 1)) * 2.0;
  }
}
