package gradcam3d.volume.formats;

import gradcam3d.Gradcam3dException;
import gradcam3d.InputFiles;
import gradcam3d.volume.NiftiHeader;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.Scan;
import gradcam3d.volume.VolumeFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads MetaImage files (ITK's format; Grand Challenge's): {@code .mha} with the data after the
 * header ({@code ElementDataFile = LOCAL}) or {@code .mhd} naming its data file; raw or zlib
 * ({@code CompressedData}); every MET_ numeric type in either byte order; {@code
 * ElementNumberOfChannels} interleaved channels. The geometry is ITK's, in LPS: {@code
 * TransformMatrix} lists the direction of the i axis first (column by column), {@code Offset} is
 * voxel (0, 0, 0)'s centre, {@code ElementSpacing} the voxel size.
 */
public final class MetaImageReader {
  private static final Map<String, SampleType> TYPES = Map.ofEntries(
      Map.entry("MET_CHAR", SampleType.INT8), Map.entry("MET_UCHAR", SampleType.UINT8),
      Map.entry("MET_ASCII_CHAR", SampleType.INT8),
      Map.entry("MET_SHORT", SampleType.INT16), Map.entry("MET_USHORT", SampleType.UINT16),
      Map.entry("MET_INT", SampleType.INT32), Map.entry("MET_UINT", SampleType.UINT32),
      Map.entry("MET_LONG", SampleType.INT32), Map.entry("MET_ULONG", SampleType.UINT32),
      Map.entry("MET_LONG_LONG", SampleType.INT64), Map.entry("MET_ULONG_LONG", SampleType.UINT64),
      Map.entry("MET_FLOAT", SampleType.FLOAT32), Map.entry("MET_DOUBLE", SampleType.FLOAT64));

  private MetaImageReader() {}

  public static Scan read(Path file) {
    long fileSize = InputFiles.requireRegularFile(file, "file");
    String source = file.toString();
    try (InputStream in = VoxelData.open(file, 0)) {
      HeaderText.Lines lines = HeaderText.read(in, source, false,
          line -> key(line).equals("elementdatafile"));
      Map<String, String> f = fields(lines.lines(), source);
      String dataFile = f.get("elementdatafile");
      if (dataFile == null) {
        throw new Gradcam3dException(source + " is not a MetaImage header: it has no ElementDataFile line.");
      }
      Header h = new Header(f, source);
      NiftiHeader geometry = h.niftiHeader();
      int count = VoxelData.voxelCount(h.fileShape(), source);
      float[] data;
      if (dataFile.equalsIgnoreCase("LOCAL")) {
        data = h.readData(in, fileSize - lines.dataOffset(), count, source);
      } else {
        if (dataFile.startsWith("LIST") || dataFile.contains("%")) {
          throw new Gradcam3dException(source + ": its data is split over several files ('ElementDataFile = "
              + NrrdReader.shorten(dataFile) + "'), which is not supported; join them into one .mha.");
        }
        Path data0 = HeaderText.dataFile(file, dataFile, "ElementDataFile");
        long size = VoxelData.size(data0);
        long skip = h.headerSize;
        long needed = (long) count * h.type.bytes();
        if (skip == -1) {
          skip = h.compressed ? 0 : size - needed;
        }
        if (skip < 0 || skip > size) {
          throw new Gradcam3dException(source + ": the header declares " + needed + " bytes of voxels but the data"
              + " file " + data0.getFileName() + " holds " + size + " bytes.");
        }
        try (InputStream din = VoxelData.open(data0, skip)) {
          data = h.readData(din, size - skip, count, source + " (data file " + data0.getFileName() + ")");
        }
      }
      float[] nifti = VoxelData.channelsLast(data, h.fileShape(), h.channelAxis());
      return new Scan(new NiftiImage(source, geometry, nifti), VolumeFormat.METAIMAGE, List.of());
    } catch (IOException e) {
      throw new Gradcam3dException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static String key(String line) {
    int eq = line.indexOf('=');
    return eq < 0 ? "" : line.substring(0, eq).trim().toLowerCase(Locale.ROOT);
  }

  private static Map<String, String> fields(List<String> lines, String source) {
    Map<String, String> f = new LinkedHashMap<>();
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw new Gradcam3dException(source + ": the header line '" + NrrdReader.shorten(line) + "' is not"
            + " 'Key = Value'; is it a MetaImage file?");
      }
      if (f.put(key(line), line.substring(eq + 1).trim()) != null) {
        throw new Gradcam3dException(source + ": the field '" + NrrdReader.shorten(line.substring(0, eq).trim())
            + "' is given twice.");
      }
    }
    return f;
  }

  private static final class Header {
    final String source;
    final Map<String, String> f;
    final int dims;
    final long[] size;
    final int channels;
    final SampleType type;
    final ByteOrder order;
    final boolean binary;
    final boolean compressed;
    final long compressedSize;
    final long headerSize;

    Header(Map<String, String> f, String source) {
      this.source = source;
      this.f = f;
      String objectType = f.get("objecttype");
      if (objectType != null && !objectType.equalsIgnoreCase("Image")) {
        throw new Gradcam3dException(source + ": ObjectType is '" + NrrdReader.shorten(objectType) + "'; only"
            + " images are read.");
      }
      dims = (int) integer("ndims", 2, 4, null);
      double[] sizes = numbers("dimsize", dims, null);
      size = new long[dims];
      for (int a = 0; a < dims; a++) {
        if (sizes[a] != Math.rint(sizes[a]) || sizes[a] < 1 || sizes[a] > Integer.MAX_VALUE) {
          throw new Gradcam3dException(source + ": DimSize " + sizes[a] + " is not a positive whole number.");
        }
        size[a] = (long) sizes[a];
      }
      channels = (int) integer("elementnumberofchannels", 1, 1 << 16, 1L);
      if (channels > 1 && dims == 4) {
        throw new Gradcam3dException(source + ": a 4D image with " + channels + " channels per voxel is not"
            + " supported.");
      }
      String typeName = required("elementtype").toUpperCase(Locale.ROOT);
      type = TYPES.get(typeName);
      if (type == null) {
        throw new Gradcam3dException(source + ": ElementType '" + NrrdReader.shorten(typeName) + "' is not"
            + " supported; supported are MET_(U)CHAR, MET_(U)SHORT, MET_(U)INT, MET_(U)LONG, MET_(U)LONG_LONG,"
            + " MET_FLOAT and MET_DOUBLE.");
      }
      String msb = f.containsKey("binarydatabyteordermsb") ? f.get("binarydatabyteordermsb")
          : f.get("elementbyteordermsb");
      order = bool(msb, "BinaryDataByteOrderMSB", false) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
      binary = bool(f.get("binarydata"), "BinaryData", true);
      compressed = bool(f.get("compresseddata"), "CompressedData", false);
      compressedSize = integer("compresseddatasize", 1, Long.MAX_VALUE, -1L);
      headerSize = integer("headersize", -1, Long.MAX_VALUE, 0L);
      if (compressed && !binary) {
        throw new Gradcam3dException(source + ": compressed text data (BinaryData = False) is not supported.");
      }
    }

    /** The data block's shape in file order: channels interleaved (fastest) or a 4th axis. */
    long[] fileShape() {
      if (channels == 1) {
        return size.clone();
      }
      long[] s = new long[dims + 1];
      s[0] = channels;
      System.arraycopy(size, 0, s, 1, dims);
      return s;
    }

    int channelAxis() {
      return channels > 1 ? 0 : dims == 4 ? 3 : -1;
    }

    NiftiHeader niftiHeader() {
      int spatial = Math.min(dims, 3);
      double[] spacing = f.containsKey("elementspacing") ? numbers("elementspacing", dims, null)
          : numbers("elementsize", dims, ones(dims));
      double[] matrix = numbers(f.containsKey("transformmatrix") ? "transformmatrix"
          : f.containsKey("rotation") ? "rotation" : "orientation", dims * dims, identity(dims));
      double[] offset = numbers(f.containsKey("offset") ? "offset" : f.containsKey("position") ? "position"
          : "origin", dims, new double[dims]);
      double[][] axes = new double[spatial][];
      for (int a = 0; a < spatial; a++) {
        double[] lps = new double[3];
        for (int c = 0; c < spatial; c++) {
          lps[c] = matrix[a * dims + c] * spacing[a];
        }
        axes[a] = ScanGeometry.flipXy(lps);
      }
      double[] origin = new double[3];
      System.arraycopy(offset, 0, origin, 0, spatial);
      long[] shape;
      if (channels > 1) {
        shape = new long[] {size[0], size[1], dims == 3 ? size[2] : 1, channels};
      } else {
        shape = size.clone();
      }
      return ScanGeometry.header(shape, axes, ScanGeometry.flipXy(origin), source);
    }

    float[] readData(InputStream in, long available, int count, String where) throws IOException {
      if (!binary) {
        return VoxelData.text(in, available, count, where);
      }
      if (compressed) {
        long length = compressedSize > 0 ? Math.min(compressedSize, available) : available;
        if (compressedSize > available) {
          throw new Gradcam3dException(where + ": CompressedDataSize is " + compressedSize + " but the file holds "
              + available + " bytes of data.");
        }
        return VoxelData.inflated(in, length, type, order, count, where);
      }
      return VoxelData.raw(in, available, type, order, count, where);
    }

    private String required(String key) {
      String v = f.get(key);
      if (v == null || v.isBlank()) {
        throw new Gradcam3dException(source + ": the required field '" + key + "' is missing.");
      }
      return v;
    }

    private long integer(String key, long min, long max, Long fallback) {
      String v = fallback == null ? required(key) : f.get(key);
      if (v == null) {
        return fallback;
      }
      long n;
      try {
        n = Long.parseLong(v.trim());
      } catch (NumberFormatException e) {
        throw new Gradcam3dException(source + ": '" + key + "' must be a whole number, not '"
            + NrrdReader.shorten(v) + "'.");
      }
      if (n < min || n > max) {
        throw new Gradcam3dException(source + ": '" + key + "' is " + n + ", outside " + min + ".."
            + (max == Long.MAX_VALUE ? "" : Long.toString(max)) + ".");
      }
      return n;
    }

    private double[] numbers(String key, int count, double[] fallback) {
      String v = fallback == null ? required(key) : f.get(key);
      if (v == null) {
        return fallback;
      }
      String[] words = v.trim().split("\\s+");
      if (words.length != count) {
        throw new Gradcam3dException(source + ": '" + key + "' has " + words.length + " values where " + count
            + " are needed.");
      }
      double[] out = new double[count];
      for (int i = 0; i < count; i++) {
        try {
          out[i] = Double.parseDouble(words[i]);
        } catch (NumberFormatException e) {
          throw new Gradcam3dException(source + ": '" + NrrdReader.shorten(words[i]) + "' in '" + key
              + "' is not a number.");
        }
      }
      return out;
    }

    private boolean bool(String value, String name, boolean fallback) {
      if (value == null) {
        return fallback;
      }
      return switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "true", "1" -> true;
        case "false", "0" -> false;
        default -> throw new Gradcam3dException(source + ": " + name + " must be True or False, not '"
            + NrrdReader.shorten(value) + "'.");
      };
    }

    private static double[] ones(int n) {
      double[] v = new double[n];
      java.util.Arrays.fill(v, 1);
      return v;
    }

    private static double[] identity(int n) {
      double[] m = new double[n * n];
      for (int i = 0; i < n; i++) {
        m[i * n + i] = 1;
      }
      return m;
    }
  }
}
