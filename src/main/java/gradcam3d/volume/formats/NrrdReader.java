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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads NRRD images (teem's format, 3D Slicer's native one): {@code .nrrd} with the data attached,
 * or a detached {@code .nhdr} header naming its data file; encodings raw, gzip and ascii; every
 * numeric type in either byte order. The geometry ({@code space}, {@code space directions},
 * {@code space origin}; else {@code spacings}) becomes the RAS affine of a NIfTI header; an axis
 * without a direction (kinds such as vector, list, RGB-color) holds channels.
 */
public final class NrrdReader {
  private static final Map<String, SampleType> TYPES = types();

  private NrrdReader() {}

  public static Scan read(Path file) {
    long fileSize = InputFiles.requireRegularFile(file, "file");
    String source = file.toString();
    try (InputStream in = VoxelData.open(file, 0)) {
      HeaderText.Lines header = HeaderText.read(in, source, true, line -> false);
      Map<String, String> fields = fields(header.lines(), source);
      Header h = new Header(fields, source);
      List<String> warnings = new ArrayList<>();
      String dataFile = fields.containsKey("data file") ? fields.get("data file") : fields.get("datafile");
      float[] data;
      if (dataFile == null) {
        if (header.endedByFile()) {
          throw new Gradcam3dException(source + ": the header neither ends with a blank line before attached data"
              + " nor names a 'data file'.");
        }
        data = h.readData(in, fileSize - header.dataOffset(), source);
      } else {
        Path dataPath = HeaderText.dataFile(file, splitDataFile(dataFile, source), "data file");
        long size = VoxelData.size(dataPath);
        try (InputStream din = VoxelData.open(dataPath, 0)) {
          data = h.readData(din, size, source + " (data file " + dataPath.getFileName() + ")");
        }
      }
      float[] nifti = VoxelData.channelsLast(data, h.sizes, h.channelAxis);
      return new Scan(new NiftiImage(source, h.niftiHeader(), nifti), VolumeFormat.NRRD, warnings);
    } catch (IOException e) {
      throw new Gradcam3dException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static String splitDataFile(String value, String source) {
    if (value.startsWith("LIST") || value.contains("%")) {
      throw new Gradcam3dException(source + ": its data is split over several files ('data file: " + shorten(value)
          + "'), which is not supported; join them into one .nrrd (e.g. with 3D Slicer or unu).");
    }
    return value;
  }

  /** The header's fields (lower-cased names), key/value pairs and comments left out. */
  private static Map<String, String> fields(List<String> lines, String source) {
    if (lines.isEmpty() || !lines.get(0).matches("NRRD000[1-5]")) {
      throw new Gradcam3dException(source + " is not an NRRD file (it does not start with NRRD0001..NRRD0005).");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.startsWith("#")) {
        continue;
      }
      int pair = line.indexOf(":=");
      int field = line.indexOf(": ");
      if (pair >= 0 && (field < 0 || pair < field)) {
        continue; // key:=value, free-form metadata
      }
      if (field < 0) {
        throw new Gradcam3dException(source + ": the header line '" + shorten(line) + "' is neither a field"
            + " ('name: value'), a key/value pair ('key:=value') nor a comment.");
      }
      String name = line.substring(0, field).trim().toLowerCase(Locale.ROOT);
      if (fields.put(name, line.substring(field + 2).trim()) != null) {
        throw new Gradcam3dException(source + ": the field '" + shorten(name) + "' is given twice.");
      }
    }
    return fields;
  }

  /** Text from a file as a message may quote it: control characters as '?', at most 80 characters. */
  static String shorten(String line) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < line.length() && i < 80; i++) {
      char ch = line.charAt(i);
      b.append(ch < 0x20 || ch == 0x7f ? '?' : ch);
    }
    return line.length() > 80 ? b + "..." : b.toString();
  }

  /** The fields that size, type and place the data, checked. */
  private static final class Header {
    final String source;
    final long[] sizes;
    final SampleType type;
    final String encoding;
    final ByteOrder order;
    final long byteSkip;
    final long lineSkip;
    final int channelAxis;
    final int dimension;
    final Map<String, String> fields;

    Header(Map<String, String> fields, String source) {
      this.source = source;
      this.fields = fields;
      dimension = (int) integer(required(fields, "dimension"), "dimension", 1, 16);
      String[] sizeWords = words(required(fields, "sizes"));
      if (sizeWords.length != dimension) {
        throw new Gradcam3dException(source + ": 'sizes' lists " + sizeWords.length + " sizes for dimension "
            + dimension + ".");
      }
      sizes = new long[dimension];
      for (int a = 0; a < dimension; a++) {
        sizes[a] = integer(sizeWords[a], "sizes", 1, Long.MAX_VALUE);
      }
      String typeName = required(fields, "type").toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
      type = TYPES.get(typeName);
      if (type == null) {
        throw new Gradcam3dException(source + ": the type '" + shorten(typeName) + "' is not supported; NRRD's numeric"
            + " types are (u)int8/16/32/64, float and double.");
      }
      encoding = encoding(required(fields, "encoding").toLowerCase(Locale.ROOT));
      String endian = fields.get("endian");
      if (endian == null) {
        if (type.bytes() > 1 && !encoding.equals("ascii")) {
          throw new Gradcam3dException(source + ": the 'endian' field is missing, which " + type.label() + " data"
              + " needs.");
        }
        order = ByteOrder.LITTLE_ENDIAN;
      } else {
        order = switch (endian.toLowerCase(Locale.ROOT)) {
          case "little" -> ByteOrder.LITTLE_ENDIAN;
          case "big" -> ByteOrder.BIG_ENDIAN;
          default -> throw new Gradcam3dException(source + ": 'endian' must be little or big, not '"
              + shorten(endian) + "'.");
        };
      }
      byteSkip = fields.containsKey("byte skip") ? integer(fields.get("byte skip"), "byte skip", -1, Long.MAX_VALUE) : 0;
      lineSkip = fields.containsKey("line skip") ? integer(fields.get("line skip"), "line skip", 0, Long.MAX_VALUE) : 0;
      if (byteSkip != 0 && !encoding.equals("raw")) {
        throw new Gradcam3dException(source + ": 'byte skip' with the " + encoding + " encoding is not supported.");
      }
      channelAxis = channelAxis();
    }

    private static String encoding(String name) {
      return switch (name) {
        case "raw" -> "raw";
        case "gzip", "gz" -> "gzip";
        case "ascii", "text", "txt" -> "ascii";
        default -> name;
      };
    }

    private String required(Map<String, String> f, String name) {
      String v = f.get(name);
      if (v == null || v.isBlank()) {
        throw new Gradcam3dException(source + ": the required field '" + name + "' is missing.");
      }
      return v;
    }

    private long integer(String text, String field, long min, long max) {
      long v;
      try {
        v = Long.parseLong(text.trim());
      } catch (NumberFormatException e) {
        throw new Gradcam3dException(source + ": '" + field + "' must be a whole number, not '" + shorten(text) + "'.");
      }
      if (v < min || v > max) {
        throw new Gradcam3dException(source + ": '" + field + "' is " + v + ", outside " + min + ".."
            + (max == Long.MAX_VALUE ? "" : Long.toString(max)) + ".");
      }
      return v;
    }

    /** The one axis without a space direction (or a non-spatial kind), or -1. */
    private int channelAxis() {
      boolean[] spatial = new boolean[dimension];
      String directions = fields.get("space directions");
      String kinds = fields.get("kinds");
      if (directions != null) {
        List<String> entries = vectors(directions, "space directions");
        for (int a = 0; a < dimension; a++) {
          spatial[a] = !entries.get(a).equals("none");
        }
      } else if (kinds != null) {
        String[] k = words(kinds);
        if (k.length != dimension) {
          throw new Gradcam3dException(source + ": 'kinds' lists " + k.length + " kinds for dimension " + dimension + ".");
        }
        for (int a = 0; a < dimension; a++) {
          String kind = k[a].toLowerCase(Locale.ROOT);
          spatial[a] = kind.equals("domain") || kind.equals("space") || kind.equals("???") || kind.equals("none");
        }
        if (dimension == 4 && spatial[3]) {
          spatial[3] = false; // four domain axes: the 4th is channels, as in NIfTI
        }
      } else {
        for (int a = 0; a < dimension; a++) {
          spatial[a] = a < 3;
        }
      }
      int channel = -1;
      int count = 0;
      for (int a = 0; a < dimension; a++) {
        if (spatial[a]) {
          count++;
        } else if (channel < 0) {
          channel = a;
        } else {
          throw new Gradcam3dException(source + ": axes " + channel + " and " + a + " are both non-spatial; one"
              + " channel axis at most is supported.");
        }
      }
      if (count < 2 || count > 3) {
        throw new Gradcam3dException(source + ": it has " + count + " spatial axes; images must be 2D or 3D"
            + " (with at most one channel axis).");
      }
      return channel;
    }

    /** The entries of a list of vectors like (1,0,0) (0,1,0) none. */
    private List<String> vectors(String text, String field) {
      List<String> out = new ArrayList<>();
      String rest = text.trim();
      while (!rest.isEmpty()) {
        if (rest.startsWith("none")) {
          out.add("none");
          rest = rest.substring(4).trim();
        } else if (rest.startsWith("(")) {
          int close = rest.indexOf(')');
          if (close < 0) {
            throw new Gradcam3dException(source + ": '" + field + "' has an unclosed '('.");
          }
          out.add(rest.substring(0, close + 1).replace(" ", ""));
          rest = rest.substring(close + 1).trim();
        } else {
          throw new Gradcam3dException(source + ": '" + field + "' must list vectors like (1,0,0) or none, not '"
              + shorten(text) + "'.");
        }
      }
      if (out.size() != dimension) {
        throw new Gradcam3dException(source + ": '" + field + "' lists " + out.size() + " entries for dimension "
            + dimension + ".");
      }
      return out;
    }

    private double[] vector(String entry, String field, int length) {
      String inner = entry.trim();
      if (!inner.startsWith("(") || !inner.endsWith(")")) {
        throw new Gradcam3dException(source + ": '" + field + "' must be a vector like (1,0,0), not '"
            + shorten(entry) + "'.");
      }
      String[] parts = inner.substring(1, inner.length() - 1).split(",", -1);
      if (parts.length != length) {
        throw new Gradcam3dException(source + ": '" + field + "' has " + parts.length + " components where the"
            + " space has " + length + ".");
      }
      double[] v = new double[length];
      for (int i = 0; i < length; i++) {
        v[i] = number(parts[i], field);
      }
      return v;
    }

    private double number(String text, String field) {
      String t = text.trim();
      try {
        return switch (t.toLowerCase(Locale.ROOT)) {
          case "nan" -> Double.NaN;
          case "inf", "+inf" -> Double.POSITIVE_INFINITY;
          case "-inf" -> Double.NEGATIVE_INFINITY;
          default -> Double.parseDouble(t);
        };
      } catch (NumberFormatException e) {
        throw new Gradcam3dException(source + ": '" + shorten(t) + "' in '" + field + "' is not a number.");
      }
    }

    private static String[] words(String text) {
      String t = text.trim();
      return t.isEmpty() ? new String[0] : t.split("\\s+");
    }

    /** +1/-1 per LPS-like axis to RAS, from the 'space' field. */
    private double[] toRas() {
      String space = fields.get("space");
      String spaceDimension = fields.get("space dimension");
      if (space == null) {
        if (spaceDimension != null && integer(spaceDimension, "space dimension", 1, 16) != 3) {
          throw new Gradcam3dException(source + ": 'space dimension' is " + spaceDimension.trim()
              + "; only 3D spaces are supported.");
        }
        return new double[] {-1, -1, 1}; // no named space: LPS, as ITK and 3D Slicer read it
      }
      if (spaceDimension != null) {
        throw new Gradcam3dException(source + ": it gives both 'space' and 'space dimension', which NRRD forbids.");
      }
      return switch (space.toLowerCase(Locale.ROOT)) {
        case "right-anterior-superior", "ras" -> new double[] {1, 1, 1};
        case "left-anterior-superior", "las" -> new double[] {-1, 1, 1};
        case "left-posterior-superior", "lps" -> new double[] {-1, -1, 1};
        // no anatomical labels: taken as LPS, the patient space of DICOM and ITK, as 3D Slicer does
        case "scanner-xyz", "3d-right-handed" -> new double[] {-1, -1, 1};
        default -> throw new Gradcam3dException(source + ": the space '" + shorten(space) + "' is not supported;"
            + " supported are right-anterior-superior, left-anterior-superior, left-posterior-superior,"
            + " scanner-xyz and 3D-right-handed.");
      };
    }

    NiftiHeader niftiHeader() {
      double[] sign = toRas();
      List<Integer> spatialAxes = new ArrayList<>();
      for (int a = 0; a < dimension; a++) {
        if (a != channelAxis) {
          spatialAxes.add(a);
        }
      }
      double[][] axes = new double[spatialAxes.size()][];
      String directions = fields.get("space directions");
      if (directions != null) {
        List<String> entries = vectors(directions, "space directions");
        for (int s = 0; s < axes.length; s++) {
          axes[s] = vector(entries.get(spatialAxes.get(s)), "space directions", 3);
        }
      } else {
        String spacings = fields.get("spacings");
        String[] words = spacings == null ? null : words(spacings);
        if (words != null && words.length != dimension) {
          throw new Gradcam3dException(source + ": 'spacings' lists " + words.length + " values for dimension "
              + dimension + ".");
        }
        for (int s = 0; s < axes.length; s++) {
          double spacing = words == null ? 1 : number(words[spatialAxes.get(s)], "spacings");
          axes[s] = new double[3];
          axes[s][s] = spacing;
        }
      }
      double[] origin = fields.containsKey("space origin") ? vector(fields.get("space origin"), "space origin", 3)
          : new double[3];
      for (double[] axis : axes) {
        for (int c = 0; c < 3; c++) {
          axis[c] *= sign[c];
        }
      }
      for (int c = 0; c < 3; c++) {
        origin[c] *= sign[c];
      }
      long channels = channelAxis < 0 ? 1 : sizes[channelAxis];
      long[] shape = new long[channels > 1 ? 4 : axes.length];
      for (int s = 0; s < axes.length; s++) {
        shape[s] = sizes[spatialAxes.get(s)];
      }
      if (channels > 1) {
        if (axes.length == 2) {
          shape[2] = 1;
        }
        shape[3] = channels;
      }
      return ScanGeometry.header(shape, axes, origin, source);
    }

    float[] readData(InputStream in, long available, String where) throws IOException {
      niftiHeader(); // geometry errors before the data is read
      int count = VoxelData.voxelCount(sizes, source);
      long skipped = skipLines(in, lineSkip, where);
      available -= skipped;
      return switch (encoding) {
        case "raw" -> {
          long needed = (long) count * type.bytes();
          long skip = byteSkip == -1 ? available - needed : byteSkip;
          if (skip < 0 || skip > available) {
            throw new Gradcam3dException(where + ": the header declares " + needed + " bytes of voxels but the"
                + " data holds " + Math.max(0, available) + " bytes.");
          }
          in.skipNBytes(skip);
          yield VoxelData.raw(in, available - skip, type, order, count, where);
        }
        case "gzip" -> VoxelData.inflated(in, available, type, order, count, where);
        case "ascii" -> VoxelData.text(in, available, count, where);
        case "bzip2", "bz2" -> throw new Gradcam3dException(source + ": the bzip2 encoding is not supported; save"
            + " it with raw or gzip encoding (e.g. unu save -e gzip, or 3D Slicer).");
        case "hex" -> throw new Gradcam3dException(source + ": the hex encoding is not supported; save it with raw"
            + " or gzip encoding (e.g. unu save -e gzip, or 3D Slicer).");
        default -> throw new Gradcam3dException(source + ": unknown encoding '" + shorten(encoding) + "'; supported"
            + " are raw, gzip and ascii.");
      };
    }

    private static long skipLines(InputStream in, long lines, String where) throws IOException {
      long bytes = 0;
      for (long l = 0; l < lines; ) {
        int b = in.read();
        if (b < 0) {
          throw new Gradcam3dException(where + ": the data ends within the " + lines + " lines 'line skip' skips.");
        }
        bytes++;
        if (b == '\n') {
          l++;
        }
      }
      return bytes;
    }
  }

  private static Map<String, SampleType> types() {
    Map<String, SampleType> m = new LinkedHashMap<>();
    for (String n : new String[] {"signed char", "int8", "int8_t"}) {
      m.put(n, SampleType.INT8);
    }
    for (String n : new String[] {"uchar", "unsigned char", "uint8", "uint8_t"}) {
      m.put(n, SampleType.UINT8);
    }
    for (String n : new String[] {"short", "short int", "signed short", "signed short int", "int16", "int16_t"}) {
      m.put(n, SampleType.INT16);
    }
    for (String n : new String[] {"ushort", "unsigned short", "unsigned short int", "uint16", "uint16_t"}) {
      m.put(n, SampleType.UINT16);
    }
    for (String n : new String[] {"int", "signed int", "int32", "int32_t"}) {
      m.put(n, SampleType.INT32);
    }
    for (String n : new String[] {"uint", "unsigned int", "uint32", "uint32_t"}) {
      m.put(n, SampleType.UINT32);
    }
    for (String n : new String[] {"longlong", "long long", "long long int", "signed long long",
        "signed long long int", "int64", "int64_t"}) {
      m.put(n, SampleType.INT64);
    }
    for (String n : new String[] {"ulonglong", "unsigned long long", "unsigned long long int", "uint64", "uint64_t"}) {
      m.put(n, SampleType.UINT64);
    }
    m.put("float", SampleType.FLOAT32);
    m.put("double", SampleType.FLOAT64);
    return m;
  }
}
