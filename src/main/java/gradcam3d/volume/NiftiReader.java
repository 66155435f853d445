package gradcam3d.volume;

import gradcam3d.Gradcam3dException;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads single-file NIfTI-1 and NIfTI-2 images ({@code .nii}, or gzipped {@code .nii.gz}) in
 * either byte order, checking the header against the data so a damaged file fails loudly.
 */
public final class NiftiReader {
  private NiftiReader() {}

  public static NiftiImage read(Path file) {
    return parse(fileBytes(file), file.toString());
  }

  /** Parses the bytes of a (possibly gzipped) {@code .nii}; {@code source} names it in errors. */
  public static NiftiImage parse(byte[] bytes, String source) {
    byte[] raw = isGzip(bytes) ? gunzip(bytes, source) : bytes;
    ByteBuffer b = ByteBuffer.wrap(raw);
    int version = detectVersion(b, source);
    int headerSize = NiftiHeaderCodec.headerSize(version);
    if (raw.length < headerSize) {
      throw new Gradcam3dException(source + " is truncated: it ends inside the NIfTI-" + version
          + " header (" + raw.length + " of " + headerSize + " bytes).");
    }
    checkMagic(b, version, source);
    NiftiHeader header = NiftiHeaderCodec.decode(b, version, source);
    checkDims(header, source);
    try {
      header.affine();
    } catch (Gradcam3dException e) {
      throw new Gradcam3dException(source + ": " + e.getMessage(), e);
    }
    return new NiftiImage(source, header, voxels(b, header, version, source));
  }

  private static byte[] fileBytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new Gradcam3dException("file " + file + " does not exist.");
    } catch (IOException e) {
      throw new Gradcam3dException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static boolean isGzip(byte[] bytes) {
    return bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
  }

  private static byte[] gunzip(byte[] bytes, String source) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    } catch (EOFException | ZipException e) {
      throw new Gradcam3dException(source + " is a truncated or corrupt gzip file ("
          + e.getMessage() + ").", e);
    } catch (IOException e) {
      throw new Gradcam3dException("cannot decompress " + source + ": " + e.getMessage(), e);
    }
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
    if (count > Integer.MAX_VALUE) {
      throw new Gradcam3dException(source + " has " + h.describe() + " voxels, more than the "
          + Integer.MAX_VALUE + " this tool can hold.");
    }
  }

  private static float[] voxels(ByteBuffer b, NiftiHeader h, int version, String source) {
    long offset = h.voxOffset;
    int minimum = NiftiHeaderCodec.minimumDataOffset(version);
    if (offset == 0) {
      offset = minimum; // an unset offset means "right after the header", as nibabel reads it
    }
    if (offset < minimum) {
      throw new Gradcam3dException(source + ": vox_offset " + offset + " points inside the header"
          + " (the data of a single-file NIfTI-" + version + " starts at " + minimum
          + " or later).");
    }
    long needed = h.voxelCount() * h.datatype.bytes();
    long held = Math.max(0, b.capacity() - offset);
    if (held != needed) {
      throw new Gradcam3dException(source + ": header says " + h.describe() + " (" + needed
          + " bytes) but the file holds " + held + " bytes after vox_offset " + offset + ".");
    }
    ByteBuffer data = b.slice((int) offset, (int) needed).order(b.order());
    double slope = h.isScaled() ? h.sclSlope : 1;
    double inter = h.isScaled() ? h.sclInter : 0;
    if (!Double.isFinite(inter)) {
      throw new Gradcam3dException(source + ": scl_slope is " + slope + " but scl_inter is "
          + inter + "; a scaled image needs a finite intercept.");
    }
    float[] out = new float[(int) h.voxelCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (h.datatype.get(data, i) * slope + inter);
    }
    return out;
  }
}
