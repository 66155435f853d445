package gradcam3d.volume.formats;

import gradcam3d.AtomicFiles;
import gradcam3d.Gradcam3dException;
import gradcam3d.Zlib;
import gradcam3d.volume.NiftiHeader;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a float32 map on a scan's grid as NRRD ({@code .nrrd}, gzip encoding) or MetaImage
 * ({@code .mha}, zlib-compressed, data in the same file), with the scan's geometry in LPS (space
 * directions and origin; TransformMatrix, Offset and ElementSpacing), so it overlays the scan in 3D
 * Slicer, ITK-SNAP or any ITK-based tool. Always three spatial axes (a 2D map as one slice). The
 * file appears atomically.
 */
public final class ScanWriter {
  private static final int CHUNK_VOXELS = 1 << 18;

  private ScanWriter() {}

  /** Whether {@code out} names a file this writer writes (.nrrd or .mha). */
  public static boolean writes(Path out) {
    String n = out.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".nrrd") || n.endsWith(".mha");
  }

  /**
   * Writes {@code data} (NIfTI order, i fastest, spatial only) with the grid of {@code header}
   * (its shape and affine) as .nrrd or .mha, told by {@code out}'s name.
   */
  public static void write(float[] data, NiftiHeader header, Path out) {
    long[] shape = spatialShape(header);
    if (shape[0] * shape[1] * shape[2] != data.length) {
      throw new IllegalArgumentException("a " + VoxelData.text(shape) + " grid needs " + shape[0] * shape[1] * shape[2]
          + " values, got " + data.length);
    }
    String n = out.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".nrrd")) {
      writeNrrd(data, header, shape, out);
    } else if (n.endsWith(".mha")) {
      writeMha(data, header, shape, out);
    } else {
      throw new Gradcam3dException("cannot write " + out + ": the name must end in .nrrd or .mha.");
    }
  }

  private static long[] spatialShape(NiftiHeader h) {
    long[] s = h.shape();
    return new long[] {s[0], s.length > 1 ? s[1] : 1, s.length > 2 ? s[2] : 1};
  }

  private static void writeNrrd(float[] data, NiftiHeader h, long[] shape, Path out) {
    StringBuilder text = new StringBuilder("NRRD0004\n");
    text.append("# written by gradcam3d; geometry of the scan it explains\n");
    text.append("type: float\ndimension: 3\nspace: left-posterior-superior\n");
    text.append("sizes: ").append(shape[0]).append(' ').append(shape[1]).append(' ').append(shape[2]).append('\n');
    text.append("space directions:");
    for (int a = 0; a < 3; a++) {
      text.append(' ').append(vector(ScanGeometry.lpsAxis(h, a), "(", ",", ")"));
    }
    text.append("\nkinds: domain domain domain\nendian: little\nencoding: gzip\n");
    text.append("space origin: ").append(vector(ScanGeometry.lpsOrigin(h), "(", ",", ")")).append("\n\n");
    byte[] head = text.toString().getBytes(StandardCharsets.US_ASCII);
    AtomicFiles.write(out, o -> {
      o.write(head);
      GZIPOutputStream zipped = new GZIPOutputStream(new NonClosing(o), 1 << 16);
      writeFloats(zipped, data);
      zipped.finish();
    });
  }

  private static void writeMha(float[] data, NiftiHeader h, long[] shape, Path out) {
    Zlib z = new Zlib(Deflater.DEFAULT_COMPRESSION, 1 << 20);
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK_VOXELS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int start = 0; start < data.length; start += CHUNK_VOXELS) {
      int count = Math.min(CHUNK_VOXELS, data.length - start);
      chunk.clear();
      chunk.asFloatBuffer().put(data, start, count);
      z.add(java.util.Arrays.copyOf(chunk.array(), count * Float.BYTES));
    }
    byte[] compressed = z.finish();
    double[] spacing = new double[3];
    StringBuilder matrix = new StringBuilder();
    for (int a = 0; a < 3; a++) {
      double[] axis = ScanGeometry.lpsAxis(h, a);
      spacing[a] = ScanGeometry.norm(axis);
      for (int c = 0; c < 3; c++) {
        matrix.append(a + c > 0 ? " " : "").append(number(axis[c] / spacing[a]));
      }
    }
    String text = "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
        + "CompressedData = True\nCompressedDataSize = " + compressed.length + "\n"
        + "TransformMatrix = " + matrix + "\n"
        + "Offset = " + vector(ScanGeometry.lpsOrigin(h), "", " ", "") + "\n"
        + "CenterOfRotation = 0 0 0\n"
        + "ElementSpacing = " + vector(spacing, "", " ", "") + "\n"
        + "DimSize = " + shape[0] + " " + shape[1] + " " + shape[2] + "\n"
        + "ElementType = MET_FLOAT\nElementDataFile = LOCAL\n";
    byte[] head = text.getBytes(StandardCharsets.US_ASCII);
    AtomicFiles.write(out, o -> {
      o.write(head);
      o.write(compressed);
    });
  }

  private static void writeFloats(OutputStream out, float[] data) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK_VOXELS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int start = 0; start < data.length; start += CHUNK_VOXELS) {
      int count = Math.min(CHUNK_VOXELS, data.length - start);
      chunk.clear();
      chunk.asFloatBuffer().put(data, start, count);
      out.write(chunk.array(), 0, count * Float.BYTES);
    }
  }

  private static String vector(double[] v, String open, String separator, String close) {
    StringBuilder b = new StringBuilder(open);
    for (int i = 0; i < v.length; i++) {
      b.append(i > 0 ? separator : "").append(number(v[i]));
    }
    return b.append(close).toString();
  }

  /** The shortest decimal that reads back as the same double, without exponent. */
  static String number(double v) {
    if (!Double.isFinite(v)) {
      throw new Gradcam3dException("cannot write the geometry value " + v + ": it is not finite.");
    }
    if (v == 0) {
      return "0";
    }
    return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }

  /** Lets a compressor finish its stream without closing the file under it. */
  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
