package gradcam3d.volume.formats;

import gradcam3d.Gradcam3dException;
import gradcam3d.InputFiles;
import gradcam3d.volume.NiftiReader;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * The voxel block of NRRD and MetaImage files: sizes checked against the bytes at hand before
 * anything is allocated, decoded from raw, gzip/zlib or text encodings into float32 in file order,
 * then moved into NIfTI order (spatial axes first, i fastest; a channel axis last).
 */
final class VoxelData {
  /** Deflate expands at most about 1032 times: more declared data than that cannot be there. */
  static final long MAX_DEFLATE_RATIO = 1032;
  private static final int CHUNK_BYTES = 1 << 20;

  private VoxelData() {}

  /**
   * The number of voxels of a shape, refused (one line about {@code source}) when a size is not
   * positive, the product exceeds one Java array or the memory this process may use.
   */
  static int voxelCount(long[] shape, String source) {
    double count = 1;
    for (long s : shape) {
      if (s <= 0) {
        throw new Gradcam3dException(source + ": the sizes " + text(shape) + " must all be positive.");
      }
      count *= s;
    }
    if (count > NiftiReader.MAX_VOXELS) {
      throw new Gradcam3dException(source + ": the sizes " + text(shape) + " make " + (long) count
          + " voxels, more than the " + NiftiReader.MAX_VOXELS + " one image may have here.");
    }
    long memory = Runtime.getRuntime().maxMemory();
    if (count * Float.BYTES > memory) {
      throw new Gradcam3dException(source + " (" + text(shape) + ") needs " + String.format(Locale.ROOT, "%.1f GiB",
          count * Float.BYTES / (double) (1L << 30)) + " of memory for its voxels, more than this Java process may"
          + " use; give it more (GRADCAM3D_JAVA_OPTS=-Xmx...) or crop the volume.");
    }
    return (int) count;
  }

  /** Opens a data file for reading from {@code offset}; the caller closes it. */
  static InputStream open(Path file, long offset) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    long skipped = in.skip(offset);
    while (skipped < offset) {
      long n = in.skip(offset - skipped);
      if (n <= 0) {
        if (in.read() < 0) {
          break;
        }
        n = 1;
      }
      skipped += n;
    }
    return in;
  }

  /** The size of a regular data file, or a one-line error. */
  static long size(Path file) {
    return InputFiles.requireRegularFile(file, "data file");
  }

  /**
   * Uncompressed samples: exactly {@code available} bytes must hold {@code count} values of the
   * type, no more, no less.
   */
  static float[] raw(InputStream in, long available, SampleType type, ByteOrder order, int count, String source)
      throws IOException {
    long needed = (long) count * type.bytes();
    if (available != needed) {
      throw new Gradcam3dException(source + ": the header declares " + count + " " + type.label() + " voxels ("
          + needed + " bytes) but the data holds " + Math.max(0, available) + " bytes.");
    }
    return decode(in, type, order, count, source);
  }

  /**
   * Compressed samples (gzip or zlib, told by the stream's first bytes): {@code compressed} bytes
   * inflate to exactly the declared voxels, with nothing after them.
   */
  static float[] inflated(InputStream in, long compressed, SampleType type, ByteOrder order, int count, String source)
      throws IOException {
    long needed = (long) count * type.bytes();
    if (compressed <= 0 || needed / MAX_DEFLATE_RATIO > compressed) {
      throw new Gradcam3dException(source + ": the header declares " + needed + " bytes of voxels, more than its "
          + Math.max(0, compressed) + " compressed bytes can hold; the file is truncated or its header is wrong.");
    }
    InputStream bounded = new BoundedInputStream(in, compressed);
    bounded.mark(2);
    int b0 = bounded.read();
    int b1 = bounded.read();
    bounded.reset();
    try {
      InputStream body = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(bounded, 1 << 16)
          : new InflaterInputStream(bounded, new java.util.zip.Inflater(), 1 << 16);
      float[] out = decode(body, type, order, count, source);
      if (body.read() >= 0) {
        throw new Gradcam3dException(source + ": the compressed data holds more than the " + needed
            + " bytes of voxels its header declares.");
      }
      return out;
    } catch (ZipException | EOFException e) {
      throw new Gradcam3dException(source + ": the compressed voxel data is corrupt or truncated ("
          + (e.getMessage() == null ? "it ends early" : e.getMessage()) + ").", e);
    }
  }

  /** Whitespace-separated numbers (NRRD's ascii encoding), exactly {@code count} of them. */
  static float[] text(InputStream in, long available, int count, String source) throws IOException {
    if ((available + 1) / 2 < count) {
      throw new Gradcam3dException(source + ": the header declares " + count + " voxels but the " + available
          + " bytes of text data cannot hold that many numbers.");
    }
    float[] out = new float[count];
    StringBuilder number = new StringBuilder();
    int n = 0;
    InputStream b = new BoundedInputStream(in, available);
    for (int c = b.read(); ; c = b.read()) {
      boolean separator = c < 0 || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',';
      if (!separator) {
        if (number.length() > 64) {
          throw new Gradcam3dException(source + ": the text data holds a word of over 64 characters, not a number.");
        }
        number.append((char) c);
        continue;
      }
      if (number.length() > 0) {
        if (n == count) {
          throw new Gradcam3dException(source + ": the text data holds more than the " + count
              + " numbers its header declares.");
        }
        try {
          out[n++] = (float) Double.parseDouble(number.toString());
        } catch (NumberFormatException e) {
          throw new Gradcam3dException(source + ": '" + number + "' in the text data is not a number.");
        }
        number.setLength(0);
      }
      if (c < 0) {
        break;
      }
    }
    if (n != count) {
      throw new Gradcam3dException(source + ": the header declares " + count + " voxels but the text data holds "
          + n + " numbers.");
    }
    return out;
  }

  private static float[] decode(InputStream in, SampleType type, ByteOrder order, int count, String source)
      throws IOException {
    float[] out = new float[count];
    int perChunk = CHUNK_BYTES / type.bytes();
    byte[] chunk = new byte[(int) Math.min((long) count * type.bytes(), (long) perChunk * type.bytes())];
    ByteBuffer buffer = ByteBuffer.wrap(chunk).order(order);
    for (int done = 0; done < count; ) {
      int n = Math.min(perChunk, count - done);
      int read = in.readNBytes(chunk, 0, n * type.bytes());
      if (read < n * type.bytes()) {
        throw new Gradcam3dException(source + ": the voxel data ends after " + ((long) done * type.bytes() + read)
            + " of the " + (long) count * type.bytes() + " bytes its header declares.");
      }
      if (type == SampleType.FLOAT32) {
        buffer.asFloatBuffer().get(out, done, n);
      } else {
        for (int i = 0; i < n; i++) {
          out[done + i] = (float) type.get(buffer, i);
        }
      }
      done += n;
    }
    return out;
  }

  /**
   * Data in file order (axis 0 fastest) with shape {@code fileShape} as NIfTI data: the same axes
   * in the same order, except that {@code channelAxis} (-1: none) moves to the end (slowest).
   */
  static float[] channelsLast(float[] data, long[] fileShape, int channelAxis) {
    if (channelAxis < 0 || channelAxis == fileShape.length - 1 || fileShape[channelAxis] == 1) {
      return data;
    }
    long inner = 1;
    for (int a = 0; a < channelAxis; a++) {
      inner *= fileShape[a];
    }
    long channels = fileShape[channelAxis];
    long outer = data.length / (inner * channels);
    float[] out = new float[data.length];
    long spatial = inner * outer;
    int src = 0;
    for (long o = 0; o < outer; o++) {
      for (long c = 0; c < channels; c++) {
        int dst = (int) (c * spatial + o * inner);
        System.arraycopy(data, src, out, dst, (int) inner);
        src += (int) inner;
      }
    }
    return out;
  }

  static String text(long[] shape) {
    StringBuilder b = new StringBuilder();
    for (long s : shape) {
      b.append(b.length() > 0 ? "x" : "").append(s);
    }
    return b.toString();
  }

  /** Reads at most {@code limit} bytes of a stream (a compressed block inside a longer file). */
  private static final class BoundedInputStream extends InputStream {
    private final InputStream in;
    private long left;
    private long markLeft;

    BoundedInputStream(InputStream in, long limit) {
      this.in = in;
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }

    @Override
    public boolean markSupported() {
      return in.markSupported();
    }

    @Override
    public synchronized void mark(int readlimit) {
      in.mark(readlimit);
      markLeft = left;
    }

    @Override
    public synchronized void reset() throws IOException {
      in.reset();
      left = markLeft;
    }
  }
}
