package gradcam3d.volume;

import gradcam3d.AtomicFiles;
import gradcam3d.Gradcam3dException;
import gradcam3d.InputFiles;
import gradcam3d.tensor.Float16;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Labels;
import gradcam3d.tensor.Shapes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format versions 1-3) holding float16/32/64, int8..64, uint8..64 or
 * bool, either byte order, C or Fortran order. Read as float32 in C order; written as any of those
 * data types (float32 unless told otherwise), in C or Fortran order.
 *
 * <p>Data types are NumPy descrs: a byte order ({@code <} little, {@code >} big, {@code |} not
 * applicable), a kind ({@code f}, {@code i}, {@code u}, {@code b}) and a size in bytes, e.g.
 * {@code "<f4"}, {@code ">i2"}, {@code "|u1"}, {@code "|b1"}.
 */
public final class Npy {
  /** Order of the elements in the file: C (last axis fastest) or Fortran (first axis fastest). */
  public enum Order { C, FORTRAN }

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*('([^']*)'|\\[)");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
  private static final Pattern DIM = Pattern.compile("\\s*(\\d+)L?\\s*");
  private static final Pattern TYPE = Pattern.compile("([<>|=]?)([a-zA-Z])(\\d*)(.*)");
  private static final String SUPPORTED =
      "float16/32/64 (f2, f4, f8), int8..64 (i1..i8), uint8..64 (u1..u8) and bool (b1)";
  private static final int MAX_ARRAY = Integer.MAX_VALUE - 8; // the largest Java array

  private Npy() {}

  // ---------------------------------------------------------------------------------- reading

  /**
   * Reads a .npy file: the header first, then the data decoded chunk by chunk straight into the
   * float array (no byte array of the whole file beside it: for a 256 MB scan, 256 MB less at load).
   */
  public static FloatTensor read(Path file) {
    long size = InputFiles.requireRegularFile(file, "file");
    if (size > MAX_ARRAY) {
      throw new Gradcam3dException(file + " is too large (" + size
          + " bytes); .npy files up to 2 GB can be read.");
    }
    String label = file.toString();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      // the preamble says how long the header is; the header says how much data follows
      byte[] head = readFully(ch, (int) Math.min(size, PREAMBLE));
      long declared = head.length >= PREAMBLE ? headerLength(head, label) : 0;
      if (declared > 0 && head.length + declared <= size) {
        byte[] whole = Arrays.copyOf(head, (int) (head.length + declared));
        byte[] rest = readFully(ch, (int) declared);
        System.arraycopy(rest, 0, whole, head.length, rest.length);
        head = whole;
      }
      Header h = header(head, size, label);
      ch.position(h.dataStart());
      float[] out = new float[h.count()];
      ByteBuffer chunk = ByteBuffer.allocate(CHUNK_ELEMENTS * h.type().size).order(h.type().order);
      for (int at = 0; at < h.count(); ) {
        int n = Math.min(CHUNK_ELEMENTS, h.count() - at);
        chunk.clear().limit(n * h.type().size);
        while (chunk.hasRemaining()) {
          if (ch.read(chunk) < 0) {
            throw new Gradcam3dException(label + " is truncated (it ended while being read)");
          }
        }
        decode(chunk, h.type(), out, at, n);
        at += n;
      }
      return h.tensor(out);
    } catch (IOException e) {
      throw new Gradcam3dException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Bytes of the version 2 and 3 preamble (magic, version, header length); version 1's is 10. */
  private static final int PREAMBLE = 12;
  /** Elements decoded per read of a file. */
  private static final int CHUNK_ELEMENTS = 1 << 18;

  /** {@code n} bytes of the channel from its position (fewer only at its end). */
  private static byte[] readFully(FileChannel ch, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining() && ch.read(b) >= 0) {
      // until full or at the end
    }
    return b.position() == n ? b.array() : Arrays.copyOf(b.array(), b.position());
  }

  /** The header length a preamble announces beyond its first {@link #PREAMBLE} bytes (0 when it cannot tell). */
  private static long headerLength(byte[] head, String label) {
    int major = head[6];
    ByteBuffer bb = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
    if (major == 1) {
      return Math.max(0, (bb.getShort(8) & 0xffff) - 2);
    }
    return major == 2 || major == 3 ? bb.getInt(8) & 0xffffffffL : 0;
  }

  /** The array in {@code bytes} (a whole .npy file); {@code label} names it in messages. */
  public static FloatTensor parse(byte[] bytes, String label) {
    Header h = header(bytes, bytes.length, label);
    ByteBuffer data = ByteBuffer.wrap(bytes, h.dataStart(), h.count() * h.type().size).slice().order(h.type().order);
    float[] out = new float[h.count()];
    decode(data, h.type(), out, 0, h.count());
    return h.tensor(out);
  }

  /** What a .npy header says, and where its data starts. */
  private record Header(Dtype type, boolean fortran, long[] shape, int count, int dataStart) {
    /** The decoded values (file order) as a C-order tensor. */
    FloatTensor tensor(float[] values) {
      return new FloatTensor(fortran && shape.length > 1 ? reorder(values, shape, false) : values, shape);
    }
  }

  /**
   * The header of a .npy file of {@code fileLength} bytes whose first bytes are {@code bytes}
   * (at least the preamble and the header, where the file has them), checked against the length.
   */
  private static Header header(byte[] bytes, long fileLength, String label) {
    for (int i = 0; i < MAGIC.length; i++) {
      if (i >= bytes.length || bytes[i] != MAGIC[i]) {
        throw new Gradcam3dException(label + " is not a .npy file (bad magic)");
      }
    }
    if (bytes.length < 10) {
      throw new Gradcam3dException(label + " is truncated (in the .npy preamble)");
    }
    int major = bytes[6];
    ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLen;
    int start;
    if (major == 1) {
      headerLen = bb.getShort(8) & 0xffff;
      start = 10;
    } else if (major == 2 || major == 3) {
      if (bytes.length < 12) {
        throw new Gradcam3dException(label + " is truncated (in the .npy preamble)");
      }
      headerLen = bb.getInt(8) & 0xffffffffL;
      start = 12;
    } else {
      throw new Gradcam3dException(label + ": unsupported .npy format version " + major
          + "." + bytes[7] + " (1.0, 2.0 and 3.0 are supported)");
    }
    if (start + headerLen > fileLength) {
      throw new Gradcam3dException(label + " is truncated (in the header: it announces "
          + headerLen + " bytes, the file has " + (fileLength - start) + ")");
    }
    String header = new String(bytes, start, (int) headerLen,
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String dict = header.strip();
    if (!dict.startsWith("{") || !dict.endsWith("}")) {
      // numpy evaluates the header as a Python dict literal, which must be closed
      throw new Gradcam3dException(label + ": malformed .npy header (not a complete {...}"
          + " dictionary): " + printable(dict));
    }
    Matcher d = DESCR.matcher(header);
    Matcher f = FORTRAN.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !f.find() || !s.find()) {
      throw new Gradcam3dException(label + ": malformed .npy header: " + printable(dict));
    }
    if (d.group(2) == null) {
      throw new Gradcam3dException(label + " holds a structured array (fields of several types);"
          + " supported are plain arrays of " + SUPPORTED + ".");
    }
    Dtype type = Dtype.parse(d.group(2), label + ": unsupported .npy data type");
    boolean fortran = f.group(1).equals("True");
    long[] shape = parseShape(s.group(1), label, header);
    long count = elementCount(shape);
    if (count < 0 || count > MAX_ARRAY) {
      throw new Gradcam3dException(label + ": shape " + Shapes.format(shape) + " is too large to read");
    }
    int dataStart = start + (int) headerLen;
    long need = count * type.size;
    long have = fileLength - dataStart;
    if (have != need) {
      throw new Gradcam3dException(label + (have < need ? " is truncated" : " does not match its header")
          + ": shape " + Shapes.format(shape) + " of " + type.descr() + " needs " + need
          + " bytes of data, the file has " + have + ".");
    }
    return new Header(type, fortran, shape, (int) count, dataStart);
  }

  /** Header text for a one-line message: control characters escaped, at most 200 characters. */
  private static String printable(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length() && out.length() < 200; i++) {
      char c = text.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    }
    return text.length() > out.length() ? out + "..." : out.toString();
  }

  private static long[] parseShape(String text, String label, String header) {
    String trimmed = text.trim();
    if (trimmed.isEmpty()) {
      return new long[0];
    }
    String[] parts = trimmed.endsWith(",")
        ? trimmed.substring(0, trimmed.length() - 1).split(",", -1)
        : trimmed.split(",", -1);
    long[] shape = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      Matcher m = DIM.matcher(parts[i]);
      if (!m.matches()) {
        throw new Gradcam3dException(label + ": malformed shape in the .npy header: "
            + printable(header.strip()));
      }
      try {
        shape[i] = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        throw new Gradcam3dException(label + ": shape " + trimmed + " is too large to read");
      }
    }
    return shape;
  }

  /** The number of elements, or -1 beyond what a long can count. */
  private static long elementCount(long[] shape) {
    long n = 1;
    try {
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
    } catch (ArithmeticException e) {
      return -1;
    }
    return n;
  }

  /** Decodes {@code n} values from the start of {@code b} into {@code out} from {@code at}. */
  private static void decode(ByteBuffer b, Dtype t, float[] out, int at, int n) {
    switch (t.kind) {
      case 'f':
        for (int i = 0; i < n; i++) {
          out[at + i] = t.size == 4 ? b.getFloat(i * 4)
              : t.size == 8 ? (float) b.getDouble(i * 8) : Float16.toFloat(b.getShort(i * 2));
        }
        break;
      case 'i':
        for (int i = 0; i < n; i++) {
          switch (t.size) {
            case 1: out[at + i] = b.get(i); break;
            case 2: out[at + i] = b.getShort(i * 2); break;
            case 4: out[at + i] = b.getInt(i * 4); break;
            default: out[at + i] = b.getLong(i * 8); break;
          }
        }
        break;
      case 'u':
        for (int i = 0; i < n; i++) {
          switch (t.size) {
            case 1: out[at + i] = b.get(i) & 0xff; break;
            case 2: out[at + i] = b.getShort(i * 2) & 0xffff; break;
            case 4: out[at + i] = b.getInt(i * 4) & 0xffffffffL; break;
            default: out[at + i] = unsignedLongToFloat(b.getLong(i * 8)); break;
          }
        }
        break;
      default: // 'b'
        for (int i = 0; i < n; i++) {
          out[at + i] = b.get(i) != 0 ? 1 : 0;
        }
        break;
    }
  }

  private static float unsignedLongToFloat(long bits) {
    // 2^63 and above: halve, keeping the dropped bit as a sticky bit so the rounding is unchanged
    return bits >= 0 ? (float) bits : 2f * (float) ((bits >>> 1) | (bits & 1));
  }

  // ---------------------------------------------------------------------------------- writing

  /** Writes float32 ({@code <f4}), C order; see {@link #write(FloatTensor, Path, String, Order)}. */
  public static void write(FloatTensor t, Path file) {
    write(t, file, "<f4", Order.C);
  }

  /** Writes as {@code dtype} (a NumPy descr such as {@code "<f8"} or {@code ">i2"}), C order. */
  public static void write(FloatTensor t, Path file, String dtype) {
    write(t, file, dtype, Order.C);
  }

  /**
   * Writes the tensor as {@code dtype} in {@code order}, format 1.0 (2.0 for headers beyond 64 KiB),
   * atomically: a failure leaves no file behind, and the whole tensor is checked before anything is
   * written.
   *
   * <p>Integer types round to nearest, ties to even (as {@code np.rint}); bool takes 0 and 1 only;
   * float16 rounds to nearest even, and NaN and infinities pass through to float types.
   *
   * @throws Gradcam3dException for an unsupported dtype, or a value the type cannot hold (NaN or
   *     infinity in an integer type, out of range, a finite value beyond float16's range)
   */
  public static void write(FloatTensor t, Path file, String dtype, Order order) {
    if (dtype.equals("<f4") && (order == Order.C || t.rank() <= 1)) {
      // float32 in C order holds every value as it is: streamed in chunks, not built whole in
      // memory (for a scan, one more array of its size)
      float[] d = t.data();
      writeFloat32(t.shape(), (from, into, n) -> System.arraycopy(d, from, into, 0, n), file);
      return;
    }
    byte[] bytes = encode(t, dtype, order, file.toString());
    AtomicFiles.write(file, os -> os.write(bytes));
  }

  /**
   * Writes a segmentation as float32 class indices, C order: the same file as the float tensor
   * of its labels, streamed from the labels without that tensor.
   */
  public static void write(Labels labels, Path file) {
    writeFloat32(labels.shape(), (from, into, n) -> labels.copyTo(from, into, 0, n), file);
  }

  /** Copies values [from, from + n) of what is written into {@code into}. */
  @FunctionalInterface
  private interface FloatRange {
    void copy(int from, float[] into, int n);
  }

  /** Streams {@code numel(shape)} float32 values to a C-order .npy, chunk by chunk, atomically. */
  private static void writeFloat32(long[] shape, FloatRange values, Path file) {
    long count = Shapes.numel(shape);
    byte[] header = header(shape, Dtype.parse("<f4", "cannot write " + file), Order.C, count * 4, file.toString());
    AtomicFiles.write(file, os -> {
      os.write(header);
      // 1 MiB at most; a small map's own size (a batch writes one per case)
      ByteBuffer chunk = ByteBuffer.allocate((int) Math.max(4, Math.min(1 << 20, count * 4)))
          .order(ByteOrder.LITTLE_ENDIAN);
      float[] floats = new float[chunk.capacity() / 4];
      for (long i = 0; i < count; ) {
        int n = (int) Math.min(count - i, floats.length);
        values.copy((int) i, floats, n);
        chunk.clear();
        chunk.asFloatBuffer().put(floats, 0, n);
        os.write(chunk.array(), 0, 4 * n);
        i += n;
      }
    });
  }

  /** The .npy header (magic, version, length, dictionary, padding) for {@code dataLen} bytes of data. */
  private static byte[] header(long[] shape, Dtype type, Order order, long dataLen, String label) {
    String dict = "{'descr': '" + type.descr() + "', 'fortran_order': "
        + (order == Order.FORTRAN ? "True" : "False") + ", 'shape': " + shapeText(shape) + ", }";
    byte[] dictBytes = dict.getBytes(StandardCharsets.ISO_8859_1);
    int prefix = 10; // format 1.0: magic, version, 16-bit header length
    int pad = (64 - (prefix + dictBytes.length + 1) % 64) % 64;
    if (dictBytes.length + pad + 1 > 0xffff) {
      prefix = 12; // format 2.0: 32-bit header length
      pad = (64 - (prefix + dictBytes.length + 1) % 64) % 64;
    }
    int headerLen = dictBytes.length + pad + 1;
    if (prefix + headerLen + dataLen > MAX_ARRAY) {
      throw new Gradcam3dException("cannot write " + label + ": " + dataLen + " bytes of data is"
          + " more than the 2 GB a .npy file written here can hold.");
    }
    ByteBuffer out = ByteBuffer.allocate(prefix + headerLen).order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC);
    if (prefix == 10) {
      out.put((byte) 1).put((byte) 0).putShort((short) headerLen);
    } else {
      out.put((byte) 2).put((byte) 0).putInt(headerLen);
    }
    out.put(dictBytes);
    for (int i = 0; i < pad; i++) {
      out.put((byte) ' ');
    }
    out.put((byte) '\n');
    return out.array();
  }

  /** The .npy file's bytes; {@code label} names the destination in messages. */
  static byte[] encode(FloatTensor t, String dtype, Order order, String label) {
    Dtype type = Dtype.parse(dtype, "cannot write " + label + ": unsupported .npy data type");
    long dataLen = (long) t.size() * type.size;
    byte[] header = header(t.shape(), type, order, dataLen, label);
    ByteBuffer out = ByteBuffer.allocate(header.length + (int) dataLen).order(ByteOrder.LITTLE_ENDIAN);
    out.put(header);
    float[] values = order == Order.FORTRAN && t.rank() > 1 ? reorder(t.data(), t.shape(), true) : t.data();
    ByteBuffer data = out.slice().order(type.order);
    for (int i = 0; i < values.length; i++) {
      String why = put(data, i, values[i], type);
      if (why != null) {
        long[] shape = t.shape();
        long[] index = unravel(order == Order.FORTRAN ? fortranToCIndex(i, shape) : i, shape);
        throw new Gradcam3dException("cannot write " + label + " as " + type.numpyName() + " ("
            + type.descr() + "): the value " + values[i] + " at index " + Arrays.toString(index)
            + " does not fit; " + why + ".");
      }
    }
    return out.array();
  }

  /** NumPy's repr of a shape tuple: (), (5,), (2, 3, 4). */
  private static String shapeText(long[] s) {
    StringBuilder text = new StringBuilder("(");
    for (int i = 0; i < s.length; i++) {
      text.append(i > 0 ? ", " : "").append(s[i]);
    }
    return text.append(s.length == 1 ? ",)" : ")").toString();
  }

  /** Stores element {@code i}; returns why it cannot, or null when done. */
  private static String put(ByteBuffer b, int i, float v, Dtype t) {
    switch (t.kind) {
      case 'f':
        if (t.size == 4) {
          b.putFloat(i * 4, v);
        } else if (t.size == 8) {
          b.putDouble(i * 8, v);
        } else {
          short h = Float16.fromFloat(v);
          if (Float.isFinite(v) && (h & 0x7c00) == 0x7c00) {
            return "float16's largest finite value is 65504";
          }
          b.putShort(i * 2, h);
        }
        return null;
      case 'b':
        if (v != 0 && v != 1) {
          return "bool holds 0 and 1 only";
        }
        b.put(i, (byte) (v == 1 ? 1 : 0));
        return null;
      default:
        break;
    }
    double r = Math.rint(v);
    if (!(r >= t.min() && r < t.maxExclusive())) {
      return t.numpyName() + " holds integers " + t.rangeText();
    }
    switch (t.size) {
      case 1: b.put(i, (byte) (long) r); break;
      case 2: b.putShort(i * 2, (short) (long) r); break;
      case 4: b.putInt(i * 4, (int) (long) r); break;
      default: b.putLong(i * 8, r >= 0x1p63 ? (long) (r - 0x1p63) ^ Long.MIN_VALUE : (long) r); break;
    }
    return null;
  }

  private static long[] unravel(long flat, long[] shape) {
    long[] index = new long[shape.length];
    long rest = flat;
    for (int a = shape.length - 1; a >= 0; a--) {
      index[a] = rest % shape[a];
      rest /= shape[a];
    }
    return index;
  }

  /** The C-order flat index of the element stored at Fortran position {@code f}. */
  private static long fortranToCIndex(long f, long[] shape) {
    long c = 0;
    long rest = f;
    long[] strides = Shapes.strides(shape);
    for (int a = 0; a < shape.length; a++) {
      c += (rest % shape[a]) * strides[a];
      rest /= shape[a];
    }
    return c;
  }

  /**
   * Between C and Fortran element orders: {@code toFortran} takes C-order data to Fortran order,
   * otherwise Fortran to C.
   */
  private static float[] reorder(float[] in, long[] shape, boolean toFortran) {
    float[] out = new float[in.length];
    int r = shape.length;
    long[] cStr = Shapes.strides(shape);
    long[] fStr = new long[r];
    long acc = 1;
    for (int i = 0; i < r; i++) {
      fStr[i] = acc;
      acc *= shape[i];
    }
    for (int i = 0; i < out.length; i++) {
      long f = 0;
      for (int a = 0; a < r; a++) {
        f += ((i / cStr[a]) % shape[a]) * fStr[a];
      }
      if (toFortran) {
        out[(int) f] = in[i];
      } else {
        out[i] = in[(int) f];
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------- dtypes

  /** A supported NumPy element type. */
  private static final class Dtype {
    final char kind;
    final int size;
    final ByteOrder order;

    private Dtype(char kind, int size, ByteOrder order) {
      this.kind = kind;
      this.size = size;
      this.order = order;
    }

    /** A descr such as "<f4", ">u2", "|b1" ("<i1" and ">i1" mean "|i1"). */
    static Dtype parse(String descr, String context) {
      Matcher m = TYPE.matcher(descr);
      if (!m.matches()) {
        throw new Gradcam3dException(context + " '" + descr + "'; supported are " + SUPPORTED + ".");
      }
      String prefix = m.group(1);
      char kind = m.group(2).charAt(0);
      String sizeText = m.group(3);
      boolean known = m.group(4).isEmpty() && sizeText.length() == 1
          && (kind == 'f' && "248".contains(sizeText)
              || (kind == 'i' || kind == 'u') && "1248".contains(sizeText)
              || kind == 'b' && sizeText.equals("1"));
      if (!known) {
        throw new Gradcam3dException(context + " '" + descr + "'" + kindName(kind)
            + "; supported are " + SUPPORTED + ".");
      }
      int size = Integer.parseInt(sizeText);
      if (size > 1 && !prefix.equals("<") && !prefix.equals(">")) {
        throw new Gradcam3dException(context + " '" + descr + "': give the byte order, '<"
            + kind + size + "' (little-endian) or '>" + kind + size + "' (big-endian).");
      }
      return new Dtype(kind, size, prefix.equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    }

    private static String kindName(char kind) {
      switch (kind) {
        case 'c': return " (complex numbers)";
        case 'O': return " (Python objects, stored pickled)";
        case 'U': return " (unicode strings)";
        case 'S': case 'a': return " (byte strings)";
        case 'V': return " (raw or structured records)";
        case 'M': return " (dates and times)";
        case 'm': return " (time spans)";
        default: return "";
      }
    }

    /** The canonical descr NumPy writes. */
    String descr() {
      return (size == 1 ? "|" : order == ByteOrder.BIG_ENDIAN ? ">" : "<") + kind + size;
    }

    String numpyName() {
      switch (kind) {
        case 'f': return "float" + 8 * size;
        case 'i': return "int" + 8 * size;
        case 'u': return "uint" + 8 * size;
        default: return "bool";
      }
    }

    double min() {
      return kind == 'u' ? 0 : -Math.scalb(1.0, 8 * size - 1);
    }

    double maxExclusive() {
      return Math.scalb(1.0, kind == 'u' ? 8 * size : 8 * size - 1);
    }

    String rangeText() {
      if (kind == 'u') {
        return "0.." + (size == 8 ? "18446744073709551615" : Long.toString((1L << (8 * size)) - 1));
      }
      long max = size == 8 ? Long.MAX_VALUE : (1L << (8 * size - 1)) - 1;
      return (-max - 1) + ".." + max;
    }
  }
}
