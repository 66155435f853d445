package gradcam3d.volume;

import gradcam3d.Gradcam3dException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The byte layout of the NIfTI-1 (348-byte) and NIfTI-2 (540-byte) headers; offsets follow
 * nifti1.h and nifti2.h. The buffer's byte order is the file's.
 */
final class NiftiHeaderCodec {
  static final int NIFTI1_SIZE = 348;
  static final int NIFTI2_SIZE = 540;
  static final byte[] NIFTI1_MAGIC = {'n', '+', '1', 0};
  static final byte[] NIFTI2_MAGIC = {'n', '+', '2', 0, '\r', '\n', 0x1a, '\n'};
  /** Magic of the two-file (.hdr + .img) variants, recognised only to say they are unsupported. */
  static final byte[] NIFTI1_PAIR_MAGIC = {'n', 'i', '1', 0};
  static final byte[] NIFTI2_PAIR_MAGIC = {'n', 'i', '2', 0, '\r', '\n', 0x1a, '\n'};
  static final int NIFTI1_MAGIC_OFFSET = 344;
  static final int NIFTI2_MAGIC_OFFSET = 4;

  private NiftiHeaderCodec() {}

  static int headerSize(int version) {
    return version == 1 ? NIFTI1_SIZE : NIFTI2_SIZE;
  }

  /** Header plus the 4-byte extension flag: where data starts when there are no extensions. */
  static int minimumDataOffset(int version) {
    return headerSize(version) + 4;
  }

  static boolean hasMagic(ByteBuffer b, int version, boolean pair) {
    byte[] magic = version == 1
        ? (pair ? NIFTI1_PAIR_MAGIC : NIFTI1_MAGIC)
        : (pair ? NIFTI2_PAIR_MAGIC : NIFTI2_MAGIC);
    int offset = version == 1 ? NIFTI1_MAGIC_OFFSET : NIFTI2_MAGIC_OFFSET;
    for (int i = 0; i < magic.length; i++) {
      if (b.get(offset + i) != magic[i]) {
        return false;
      }
    }
    return true;
  }

  /** Reads the header fields; {@code source} names the file if the datatype is unsupported. */
  static NiftiHeader decode(ByteBuffer b, int version, String source) {
    return version == 1 ? decode1(b, source) : decode2(b, source);
  }

  private static NiftiHeader decode1(ByteBuffer b, String source) {
    NiftiHeader h = new NiftiHeader();
    h.dimInfo = b.get(39) & 0xff;
    for (int i = 0; i < 8; i++) {
      h.dim[i] = b.getShort(40 + 2 * i);
      h.pixdim[i] = b.getFloat(76 + 4 * i);
    }
    h.intentP1 = b.getFloat(56);
    h.intentP2 = b.getFloat(60);
    h.intentP3 = b.getFloat(64);
    h.intentCode = b.getShort(68);
    h.datatype = NiftiDatatype.fromCode(b.getShort(70), source);
    h.sliceStart = b.getShort(74);
    h.voxOffset = (long) b.getFloat(108);
    h.sclSlope = b.getFloat(112);
    h.sclInter = b.getFloat(116);
    h.sliceEnd = b.getShort(120);
    h.sliceCode = b.get(122) & 0xff;
    h.xyztUnits = b.get(123) & 0xff;
    h.calMax = b.getFloat(124);
    h.calMin = b.getFloat(128);
    h.sliceDuration = b.getFloat(132);
    h.toffset = b.getFloat(136);
    h.descrip = getString(b, 148, 80);
    h.auxFile = getString(b, 228, 24);
    h.qformCode = b.getShort(252);
    h.sformCode = b.getShort(254);
    h.quaternB = b.getFloat(256);
    h.quaternC = b.getFloat(260);
    h.quaternD = b.getFloat(264);
    h.qoffsetX = b.getFloat(268);
    h.qoffsetY = b.getFloat(272);
    h.qoffsetZ = b.getFloat(276);
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 4; c++) {
        h.srow[r][c] = b.getFloat(280 + 16 * r + 4 * c);
      }
    }
    h.intentName = getString(b, 328, 16);
    return h;
  }

  private static NiftiHeader decode2(ByteBuffer b, String source) {
    NiftiHeader h = new NiftiHeader();
    h.datatype = NiftiDatatype.fromCode(b.getShort(12), source);
    for (int i = 0; i < 8; i++) {
      h.dim[i] = b.getLong(16 + 8 * i);
      h.pixdim[i] = b.getDouble(104 + 8 * i);
    }
    h.intentP1 = b.getDouble(80);
    h.intentP2 = b.getDouble(88);
    h.intentP3 = b.getDouble(96);
    h.voxOffset = b.getLong(168);
    h.sclSlope = b.getDouble(176);
    h.sclInter = b.getDouble(184);
    h.calMax = b.getDouble(192);
    h.calMin = b.getDouble(200);
    h.sliceDuration = b.getDouble(208);
    h.toffset = b.getDouble(216);
    h.sliceStart = b.getLong(224);
    h.sliceEnd = b.getLong(232);
    h.descrip = getString(b, 240, 80);
    h.auxFile = getString(b, 320, 24);
    h.qformCode = b.getInt(344);
    h.sformCode = b.getInt(348);
    h.quaternB = b.getDouble(352);
    h.quaternC = b.getDouble(360);
    h.quaternD = b.getDouble(368);
    h.qoffsetX = b.getDouble(376);
    h.qoffsetY = b.getDouble(384);
    h.qoffsetZ = b.getDouble(392);
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 4; c++) {
        h.srow[r][c] = b.getDouble(400 + 32 * r + 8 * c);
      }
    }
    h.sliceCode = b.getInt(496);
    h.xyztUnits = b.getInt(500);
    h.intentCode = b.getInt(504);
    h.intentName = getString(b, 508, 16);
    h.dimInfo = b.get(524) & 0xff;
    return h;
  }

  /**
   * Writes the header and an all-zero extension flag (no extensions) into the first
   * {@link #minimumDataOffset} bytes of {@code b}.
   */
  static void encode(NiftiHeader h, int version, ByteBuffer b) {
    if (version == 1) {
      encode1(h, b);
    } else {
      encode2(h, b);
    }
  }

  private static void encode1(NiftiHeader h, ByteBuffer b) {
    b.putInt(0, NIFTI1_SIZE);
    b.put(38, (byte) 'r'); // "regular", as Analyze 7.5 readers expect
    b.put(39, (byte) h.dimInfo);
    for (int i = 0; i < 8; i++) {
      b.putShort(40 + 2 * i, toShort(h.dim[i], "dim[" + i + "]"));
      b.putFloat(76 + 4 * i, (float) h.pixdim[i]);
    }
    b.putFloat(56, (float) h.intentP1);
    b.putFloat(60, (float) h.intentP2);
    b.putFloat(64, (float) h.intentP3);
    b.putShort(68, toShort(h.intentCode, "intent_code"));
    b.putShort(70, (short) h.datatype.code());
    b.putShort(72, (short) h.datatype.bitpix());
    b.putShort(74, toShort(h.sliceStart, "slice_start"));
    b.putFloat(108, h.voxOffset);
    b.putFloat(112, (float) h.sclSlope);
    b.putFloat(116, (float) h.sclInter);
    b.putShort(120, toShort(h.sliceEnd, "slice_end"));
    b.put(122, (byte) h.sliceCode);
    b.put(123, (byte) h.xyztUnits);
    b.putFloat(124, (float) h.calMax);
    b.putFloat(128, (float) h.calMin);
    b.putFloat(132, (float) h.sliceDuration);
    b.putFloat(136, (float) h.toffset);
    putString(b, 148, 80, h.descrip);
    putString(b, 228, 24, h.auxFile);
    b.putShort(252, toShort(h.qformCode, "qform_code"));
    b.putShort(254, toShort(h.sformCode, "sform_code"));
    b.putFloat(256, (float) h.quaternB);
    b.putFloat(260, (float) h.quaternC);
    b.putFloat(264, (float) h.quaternD);
    b.putFloat(268, (float) h.qoffsetX);
    b.putFloat(272, (float) h.qoffsetY);
    b.putFloat(276, (float) h.qoffsetZ);
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 4; c++) {
        b.putFloat(280 + 16 * r + 4 * c, (float) h.srow[r][c]);
      }
    }
    putString(b, 328, 16, h.intentName);
    b.put(NIFTI1_MAGIC_OFFSET, NIFTI1_MAGIC);
    b.putInt(NIFTI1_SIZE, 0);
  }

  private static void encode2(NiftiHeader h, ByteBuffer b) {
    b.putInt(0, NIFTI2_SIZE);
    b.put(NIFTI2_MAGIC_OFFSET, NIFTI2_MAGIC);
    b.putShort(12, (short) h.datatype.code());
    b.putShort(14, (short) h.datatype.bitpix());
    for (int i = 0; i < 8; i++) {
      b.putLong(16 + 8 * i, h.dim[i]);
      b.putDouble(104 + 8 * i, h.pixdim[i]);
    }
    b.putDouble(80, h.intentP1);
    b.putDouble(88, h.intentP2);
    b.putDouble(96, h.intentP3);
    b.putLong(168, h.voxOffset);
    b.putDouble(176, h.sclSlope);
    b.putDouble(184, h.sclInter);
    b.putDouble(192, h.calMax);
    b.putDouble(200, h.calMin);
    b.putDouble(208, h.sliceDuration);
    b.putDouble(216, h.toffset);
    b.putLong(224, h.sliceStart);
    b.putLong(232, h.sliceEnd);
    putString(b, 240, 80, h.descrip);
    putString(b, 320, 24, h.auxFile);
    b.putInt(344, h.qformCode);
    b.putInt(348, h.sformCode);
    b.putDouble(352, h.quaternB);
    b.putDouble(360, h.quaternC);
    b.putDouble(368, h.quaternD);
    b.putDouble(376, h.qoffsetX);
    b.putDouble(384, h.qoffsetY);
    b.putDouble(392, h.qoffsetZ);
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 4; c++) {
        b.putDouble(400 + 32 * r + 8 * c, h.srow[r][c]);
      }
    }
    b.putInt(496, h.sliceCode);
    b.putInt(500, h.xyztUnits);
    b.putInt(504, h.intentCode);
    putString(b, 508, 16, h.intentName);
    b.put(524, (byte) h.dimInfo);
    b.putInt(NIFTI2_SIZE, 0);
  }

  private static short toShort(long value, String field) {
    if (value < Short.MIN_VALUE || value > Short.MAX_VALUE) {
      throw new Gradcam3dException(field + " = " + value + " does not fit in a NIfTI-1 header;"
          + " write NIfTI-2 instead.");
    }
    return (short) value;
  }

  /** A NUL-terminated (or field-filling) Latin-1 string. */
  private static String getString(ByteBuffer b, int offset, int length) {
    byte[] bytes = new byte[length];
    b.get(offset, bytes);
    int end = 0;
    while (end < length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
  }

  /** Latin-1, cut to the field's length, NUL-padded. */
  private static void putString(ByteBuffer b, int offset, int length, String value) {
    byte[] bytes = Arrays.copyOf(value.getBytes(StandardCharsets.ISO_8859_1), length);
    b.put(offset, bytes);
  }
}
