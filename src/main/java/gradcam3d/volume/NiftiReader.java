package gradcam3d.volume;

import gradcam3d.Gradcam3dException;
import gradcam3d.InputFiles;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads single-file NIfTI-1 and NIfTI-2 images ({@code .nii}, or gzipped {@code .nii.gz}) in
 * either byte order, checking the header against the data so a damaged file fails loudly.
 *
 * <p>The file is streamed: the header is read and checked first, then exactly the data it declares
 * is decoded chunk by chunk, so memory is bounded by the declared volume (checked against the heap
 * before anything is allocated) and files over 2 GiB are read as long as their voxels fit one Java
 * array ({@link #MAX_VOXELS}). Data beyond what the header declares is an error, in .nii and
 * .nii.gz alike; a gzip stream must end with its trailer (checksum and size).
 */
public final class NiftiReader {
  /** The most voxels one image may have: one Java float array. */
  public static final long MAX_VOXELS = Integer.MAX_VALUE - 8;
  /**
   * Deflate expands at most about 1032 times, so a .nii.gz whose header declares more data than
   * that is refused before anything is inflated.
   */
  static final long MAX_DEFLATE_RATIO = 1032;
  private static final int CHUNK_BYTES = 1 << 20;
  /** How far a stream is inflated, after a header error, to look for gzip damage. */
  private static final long VERIFY_LIMIT = 64L << 20;

  private NiftiReader() {}

  public static NiftiImage read(Path file) {
    return read(file, Runtime.getRuntime().maxMemory());
  }

  /** As {@link #read(Path)}, refusing images whose float32 voxels need more than {@code memoryBytes}. */
  static NiftiImage read(Path file, long memoryBytes) {
    long size = InputFiles.requireRegularFile(file, "file");
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      return read(in, size, file.toString(), memoryBytes);
    } catch (IOException e) {
      throw new Gradcam3dException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses the bytes of a (possibly gzipped) {@code .nii}; {@code source} names it in errors. */
  public static NiftiImage parse(byte[] bytes, String source) {
    try {
      return read(new ByteArrayInputStream(bytes), bytes.length, source,
          Runtime.getRuntime().maxMemory());
    } catch (IOException e) {
      throw new Gradcam3dException("cannot read " + source + ": " + e.getMessage(), e);
    }
  }

  private static NiftiImage read(InputStream in, long fileSize, String source, long memoryBytes)
      throws IOException {
    in.mark(2);
    boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
    in.reset();
    try {
      if (!gzip) {
        return decode(in, false, fileSize, source, memoryBytes);
      }
      InputStream body = new GZIPInputStream(in, 1 << 16);
      try {
        return decode(body, true, saturatedProduct(fileSize, MAX_DEFLATE_RATIO), source, memoryBytes);
      } catch (Gradcam3dException e) {
        // a damaged stream inflates to garbage before its checksum is reached: say which it is
        verifyRest(body);
        throw e;
      }
    } catch (EOFException | ZipException e) {
      if (!gzip) {
        throw e;
      }
      // GZIPInputStream reads the trailer as soon as the deflate data ends; only there does
      // it throw an EOFException without a message
      String why = e.getMessage() != null ? e.getMessage()
          : "it ends without the gzip trailer that holds its checksum and size";
      throw new Gradcam3dException(source + " is a truncated or corrupt gzip file (" + why + ").", e);
    }
  }

  private static NiftiImage decode(InputStream body, boolean gzip, long capacity, String source,
      long memoryBytes) throws IOException {
    byte[] head = new byte[NiftiHeaderCodec.NIFTI2_SIZE];
    int got = body.readNBytes(head, 0, 4);
    int version = detectVersion(ByteBuffer.wrap(head, 0, got).slice(), source);
    int headerSize = NiftiHeaderCodec.headerSize(version);
    got += body.readNBytes(head, 4, headerSize - 4);
    if (got < headerSize) {
      throw new Gradcam3dException(source + " is truncated: it ends inside the NIfTI-" + version
          + " header (" + got + " of " + headerSize + " bytes).");
    }
    ByteBuffer b = ByteBuffer.wrap(head, 0, headerSize).slice();
    detectVersion(b, source); // sets b's byte order
    checkMagic(b, version, source);
    NiftiHeader header = NiftiHeaderCodec.decode(b, version, source);
    checkDims(header, source);
    checkGeometry(header, source);

    long offset = header.voxOffset;
    int minimum = NiftiHeaderCodec.minimumDataOffset(version);
    if (offset == 0) {
      offset = minimum; // an unset offset means "right after the header", as nibabel reads it
    }
    if (offset < minimum) {
      throw new Gradcam3dException(source + ": vox_offset " + offset + " points inside the header"
          + " (the data of a single-file NIfTI-" + version + " starts at " + minimum
          + " or later).");
    }
    NiftiDatatype type = header.datatype;
    long count = header.voxelCount();
    long needed = count * type.bytes();
    if (!gzip && capacity - offset != needed) {
      throw new Gradcam3dException(source + ": header says " + header.describe() + " (" + needed
          + " bytes) but the file holds " + Math.max(0, capacity - offset)
          + " bytes after vox_offset " + offset + ".");
    }
    if (gzip && (offset > capacity || needed > capacity - offset)) {
      throw new Gradcam3dException(source + ": header says " + header.describe() + " (" + needed
          + " bytes), more than its " + capacity / MAX_DEFLATE_RATIO + " compressed bytes can"
          + " hold (gzip expands at most " + MAX_DEFLATE_RATIO + " times); the file is truncated"
          + " or its header is wrong.");
    }
    if (count * Float.BYTES > memoryBytes) {
      throw new Gradcam3dException(source + " (" + header.describe() + ") needs " + gib(count
          * Float.BYTES) + " of memory for its voxels, more than the " + gib(memoryBytes)
          + " this Java process may use; give it more (GRADCAM3D_JAVA_OPTS=-Xmx...) or crop the"
          + " volume.");
    }
    double slope = header.isScaled() ? header.sclSlope : 1;
    double inter = header.isScaled() ? header.sclInter : 0;
    if (!Double.isFinite(inter)) {
      throw new Gradcam3dException(source + ": scl_slope is " + slope + " but scl_inter is "
          + inter + "; a scaled image needs a finite intercept.");
    }
    long extensions = offset - headerSize;
    long skipped = skip(body, extensions);
    if (skipped < extensions) {
      throw shortData(source, header, needed, 0, offset);
    }

    float[] out = new float[(int) count];
    int perChunk = CHUNK_BYTES / type.bytes();
    byte[] chunk = new byte[(int) Math.min(needed, (long) perChunk * type.bytes())];
    ByteBuffer chunkBuffer = ByteBuffer.wrap(chunk).order(b.order());
    for (int done = 0; done < out.length; ) {
      int n = Math.min(perChunk, out.length - done);
      int read = body.readNBytes(chunk, 0, n * type.bytes());
      if (read < n * type.bytes()) {
        throw shortData(source, header, needed, (long) done * type.bytes() + read, offset);
      }
      decodeChunk(chunkBuffer, type, n, slope, inter, out, done);
      done += n;
    }
    if (gzip) {
      requireEnd(body, source, offset + needed);
    }
    return new NiftiImage(source, header, out);
  }

  /** Real values of {@code n} stored voxels; float types in bulk, as they are most of all CTs/MRIs. */
  private static void decodeChunk(ByteBuffer chunk, NiftiDatatype type, int n, double slope,
      double inter, float[] out, int at) {
    if (type == NiftiDatatype.FLOAT32 && slope == 1 && inter == 0) {
      chunk.asFloatBuffer().get(out, at, n);
    } else if (type == NiftiDatatype.FLOAT64) {
      DoubleBuffer values = chunk.asDoubleBuffer();
      for (int i = 0; i < n; i++) {
        out[at + i] = (float) (values.get(i) * slope + inter);
      }
    } else {
      for (int i = 0; i < n; i++) {
        out[at + i] = (float) (type.get(chunk, i) * slope + inter);
      }
    }
  }

  /**
   * Inflates the rest of a gzip stream (up to {@link #VERIFY_LIMIT} bytes, into a small buffer)
   * so a checksum or truncation error surfaces as the real cause of a nonsensical header.
   */
  private static void verifyRest(InputStream body) throws IOException {
    byte[] scratch = new byte[1 << 16];
    long total = 0;
    int n;
    while (total < VERIFY_LIMIT && (n = body.read(scratch)) >= 0) {
      total += n;
    }
  }

  /** After the declared data: the gzip trailer must follow, and nothing else. */
  private static void requireEnd(InputStream body, String source, long declared)
      throws IOException {
    if (body.read() >= 0) {
      throw new Gradcam3dException(source + " holds more data than the " + declared
          + " bytes its header declares (header, extensions and voxels); trailing data is"
          + " refused.");
    }
  }

  private static Gradcam3dException shortData(String source, NiftiHeader header, long needed,
      long held, long offset) {
    return new Gradcam3dException(source + ": header says " + header.describe() + " (" + needed
        + " bytes) but the file holds " + held + " bytes after vox_offset " + offset + ".");
  }

  private static long skip(InputStream in, long bytes) throws IOException {
    byte[] scratch = new byte[(int) Math.min(bytes, 1 << 16)];
    long done = 0;
    while (done < bytes) {
      int n = in.readNBytes(scratch, 0, (int) Math.min(scratch.length, bytes - done));
      if (n == 0) {
        break;
      }
      done += n;
    }
    return done;
  }

  private static long saturatedProduct(long a, long b) {
    return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
  }

  private static String gib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
  }

  /**
   * sizeof_hdr is 348 or 540 in the file's byte order, which is how the order is found; leaves
   * {@code b} set to that order.
   */
  private static int detectVersion(ByteBuffer b, String source) {
    if (b.capacity() >= 4) {
      for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
        int size = b.order(order).getInt(0);
        if (size == NiftiHeaderCodec.NIFTI1_SIZE) {
          return 1;
        }
        if (size == NiftiHeaderCodec.NIFTI2_SIZE) {
          return 2;
        }
      }
    }
    throw new Gradcam3dException(source + " is not a NIfTI-1/2 file (it does not start with a"
        + " header size of 348 or 540).");
  }

  private static void checkMagic(ByteBuffer b, int version, String source) {
    if (NiftiHeaderCodec.hasMagic(b, version, false)) {
      return;
    }
    if (NiftiHeaderCodec.hasMagic(b, version, true)) {
      throw new Gradcam3dException(source + " is the header of a NIfTI-" + version
          + " .hdr/.img pair, which is not supported; convert it to a single .nii or .nii.gz.");
    }
    throw new Gradcam3dException(source + " is not a NIfTI-1/2 file (bad magic string in its"
        + " NIfTI-" + version + " header).");
  }

  private static void checkDims(NiftiHeader h, String source) {
    if (h.dim[0] < 1 || h.dim[0] > 7) {
      throw new Gradcam3dException(source + ": dim[0] (the number of dimensions) is " + h.dim[0]
          + ", but it must be between 1 and 7.");
    }
    for (int axis = 1; axis <= h.dim[0]; axis++) {
      if (h.dim[axis] <= 0) {
        throw new Gradcam3dException(source + ": dim[" + axis + "] is " + h.dim[axis]
            + ", but every image dimension must be positive.");
      }
    }
    double count = 1; // in double so that absurd 64-bit NIfTI-2 dims cannot overflow
    for (int axis = 1; axis <= h.dim[0]; axis++) {
      count *= h.dim[axis];
    }
    if (count > MAX_VOXELS) {
      throw new Gradcam3dException(source + " has " + h.describe() + " voxels, more than the "
          + MAX_VOXELS + " this tool can hold.");
    }
  }

  /**
   * An sform holding NaN or infinities (sform_code > 0) falls back to the qform, as if sform_code
   * were 0, so the CAM written with this header carries the qform too; without a qform to fall
   * back on the file is refused, as is any affine that is not finite. Likewise voxel sizes
   * (pixdim) that are NaN or infinite fall back to the lengths of the sform's columns; without a
   * usable sform the affine they make is not finite and the file is refused.
   */
  private static void checkGeometry(NiftiHeader h, String source) {
    try {
      if (h.sformCode > 0 && !allFinite(h.srow)) {
        if (h.qformCode <= 0) {
          throw new Gradcam3dException("its sform (srow_x/y/z) holds NaN or infinite values and"
              + " it has no qform to fall back on.");
        }
        double[][] q = h.qformAffine();
        h.sformCode = 0;
        h.srow = new double[][] {q[0], q[1], q[2]};
      }
      if (h.sformCode > 0) {
        // voxel sizes that are NaN or infinite beside a usable sform: its column lengths, so the
        // header written with the CAM (and its qform, which uses them) carries finite sizes
        for (int axis = 1; axis <= Math.min(3, h.dim[0]); axis++) {
          if (!Double.isFinite(h.pixdim[axis])) {
            int c = axis - 1;
            h.pixdim[axis] = Math.sqrt(h.srow[0][c] * h.srow[0][c] + h.srow[1][c] * h.srow[1][c]
                + h.srow[2][c] * h.srow[2][c]);
          }
        }
      }
      if (!allFinite(h.affine())) {
        throw new Gradcam3dException("its voxel-to-world affine (from the "
            + (h.qformCode > 0 ? "qform" : "voxel sizes in pixdim") + ") holds NaN or infinite"
            + " values.");
      }
    } catch (Gradcam3dException e) {
      throw new Gradcam3dException(source + ": " + e.getMessage(), e);
    }
  }

  private static boolean allFinite(double[][] rows) {
    for (double[] row : rows) {
      for (double v : row) {
        if (!Double.isFinite(v)) {
          return false;
        }
      }
    }
    return true;
  }
}
