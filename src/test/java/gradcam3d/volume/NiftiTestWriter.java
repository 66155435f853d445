package gradcam3d.volume;

import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The NIfTI files the reader's tests need beyond what gradcam3d writes (float32, NIfTI-1,
 * little-endian, unscaled): other datatypes, NIfTI-2, big-endian, scl_slope/scl_inter. Immutable:
 * each setting returns a new writer; {@link #write} writes through {@link NiftiWriter}.
 */
public final class NiftiTestWriter {
  private final NiftiDatatype datatype;
  private final int version;
  private final ByteOrder byteOrder;
  private final double sclSlope;
  private final double sclInter;

  public NiftiTestWriter() {
    this(NiftiDatatype.FLOAT32, 1, ByteOrder.LITTLE_ENDIAN, 1, 0);
  }

  private NiftiTestWriter(NiftiDatatype datatype, int version, ByteOrder byteOrder, double sclSlope,
      double sclInter) {
    this.datatype = datatype;
    this.version = version;
    this.byteOrder = byteOrder;
    this.sclSlope = sclSlope;
    this.sclInter = sclInter;
  }

  public NiftiTestWriter datatype(NiftiDatatype type) {
    return new NiftiTestWriter(type, version, byteOrder, sclSlope, sclInter);
  }

  /** 1 for NIfTI-1 (348-byte header, 16-bit dims), 2 for NIfTI-2 (540 bytes, 64-bit). */
  public NiftiTestWriter version(int niftiVersion) {
    if (niftiVersion != 1 && niftiVersion != 2) {
      throw new IllegalArgumentException("NIfTI version must be 1 or 2, not " + niftiVersion);
    }
    return new NiftiTestWriter(datatype, niftiVersion, byteOrder, sclSlope, sclInter);
  }

  public NiftiTestWriter byteOrder(ByteOrder order) {
    return new NiftiTestWriter(datatype, version, order, sclSlope, sclInter);
  }

  /**
   * Stores (value - inter) / slope, so readers recover value = stored * slope + inter. A slope of
   * NaN or 0 writes unscaled data and marks it so.
   */
  public NiftiTestWriter scaling(double slope, double inter) {
    if (slope != 0 && Double.isFinite(slope) && !Double.isFinite(inter)) {
      throw new IllegalArgumentException("scl_inter must be finite when scl_slope is " + slope);
    }
    return new NiftiTestWriter(datatype, version, byteOrder, slope, inter);
  }

  public void write(NiftiImage image, Path file) {
    new NiftiWriter(datatype, version, byteOrder, sclSlope, sclInter).write(image, file);
  }
}
