package gradcam3d.volume;

import gradcam3d.AtomicFiles;
import gradcam3d.Gradcam3dException;
import gradcam3d.GzipBands;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.Deflater;

/**
 * Writes single-file NIfTI images: {@code .nii}, or gzipped when the name ends in {@code .gz}. The
 * header is the image's own with the fields that describe the stored data replaced (datatype,
 * bitpix, vox_offset, scl_slope/scl_inter, cal_min/cal_max); geometry and labels are kept. The
 * file appears atomically, so a failed write leaves nothing behind.
 *
 * <p>Writes float32, NIfTI-1, little-endian, scl_slope 1 and scl_inter 0. The general form (other
 * datatypes, NIfTI-2, big-endian, scaling; {@code NiftiTestWriter} in the tests) writes the files
 * the reader's tests read back.
 */
public final class NiftiWriter {
  private static final int CHUNK_VOXELS = 1 << 14;
  /**
   * .nii.gz is deflated at the fastest level in 1 MiB bands on all cores ({@link GzipBands}): on a
   * 512 x 512 x 300 float map (which float noise keeps at ~85 % of its size either way) 2x faster
   * per core than one level-6 stream, on every core, for a file 0.3 % larger (docs/benchmarks.md).
   */
  static final int GZIP_LEVEL = Deflater.BEST_SPEED;
  private static final int GZIP_BAND = 1 << 20;

  private final NiftiDatatype datatype;
  private final int version;
  private final ByteOrder byteOrder;
  private final double sclSlope;
  private final double sclInter;

  public NiftiWriter() {
    this(NiftiDatatype.FLOAT32, 1, ByteOrder.LITTLE_ENDIAN, 1, 0);
  }

  /**
   * {@code version} 1 for NIfTI-1 (348-byte header, 16-bit dims), 2 for NIfTI-2 (540 bytes,
   * 64-bit); data stored as (value - sclInter) / sclSlope, unscaled when the slope is NaN or 0.
   */
  NiftiWriter(NiftiDatatype datatype, int version, ByteOrder byteOrder, double sclSlope, double sclInter) {
    this.datatype = datatype;
    this.version = version;
    this.byteOrder = byteOrder;
    this.sclSlope = sclSlope;
    this.sclInter = sclInter;
  }

  public void write(NiftiImage image, Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean gzip = name.endsWith(".nii.gz");
    if (!gzip && !name.endsWith(".nii")) {
      throw new Gradcam3dException("cannot write " + file + ": a NIfTI file name must end in"
          + " .nii or .nii.gz.");
    }
    NiftiHeader header = storedHeader(image);
    AtomicFiles.write(file, out -> {
      if (gzip) {
        // a file smaller than a band is its one band: the same bytes, without a band's buffer
        long size = header.voxOffset + (long) image.data().length * datatype.bytes();
        try (GzipBands zipped = new GzipBands(out, GZIP_LEVEL, (int) Math.max(1, Math.min(GZIP_BAND, size)))) {
          writeTo(zipped, header, image.data());
        }
      } else {
        writeTo(out, header, image.data());
      }
    });
  }

  private NiftiHeader storedHeader(NiftiImage image) {
    NiftiHeader h = image.header().copy();
    h.datatype = datatype;
    h.voxOffset = NiftiHeaderCodec.minimumDataOffset(version);
    h.sclSlope = sclSlope;
    h.sclInter = sclInter;
    // the finite values' Math.min and Math.max, as the least and greatest of their bits in float
    // order: integer comparisons (a batch writes this for every case; the client compiler makes
    // a float comparison several instructions and branches)
    int least = Integer.MAX_VALUE;
    int greatest = Integer.MIN_VALUE;
    for (float v : image.data()) {
      int bits = Float.floatToRawIntBits(v);
      if ((bits & 0x7f800000) != 0x7f800000) { // not NaN or infinite
        int key = orderKey(bits);
        if (key < least) {
          least = key;
        }
        if (key > greatest) {
          greatest = key;
        }
      }
    }
    boolean anyFinite = least <= greatest;
    h.calMin = anyFinite ? Float.intBitsToFloat(orderKey(least)) : 0;
    h.calMax = anyFinite ? Float.intBitsToFloat(orderKey(greatest)) : 0;
    return h;
  }

  /**
   * A float's bits as an int that orders as the float does, -0.0 just below 0.0 (as Math.min and
   * Math.max order them): a negative float's magnitude bits are flipped. Its own inverse.
   */
  static int orderKey(int bits) {
    return bits ^ ((bits >> 31) & 0x7fffffff);
  }

  private void writeTo(OutputStream out, NiftiHeader header, float[] data) throws IOException {
    ByteBuffer head = ByteBuffer.allocate((int) header.voxOffset).order(byteOrder);
    NiftiHeaderCodec.encode(header, version, head);
    out.write(head.array());
    double slope = header.isScaled() ? header.sclSlope : 1;
    double inter = header.isScaled() ? header.sclInter : 0;
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK_VOXELS * datatype.bytes()).order(byteOrder);
    // unscaled float32 (the maps): (v - 0) / 1 is v, so the floats are copied as they are, in bulk
    boolean asIs = datatype == NiftiDatatype.FLOAT32 && slope == 1 && inter == 0;
    for (int start = 0; start < data.length; start += CHUNK_VOXELS) {
      int count = Math.min(CHUNK_VOXELS, data.length - start);
      if (asIs) {
        chunk.asFloatBuffer().put(data, start, count);
      } else {
        for (int i = 0; i < count; i++) {
          datatype.put(chunk, i, (data[start + i] - inter) / slope);
        }
      }
      out.write(chunk.array(), 0, count * datatype.bytes());
    }
  }
}
