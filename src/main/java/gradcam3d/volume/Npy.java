package gradcam3d.volume;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format versions 1-3): float16/32/64, signed and unsigned integers and
 * bool, either byte order, C or Fortran order. Read as float32 in C order; written as float32.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  public static FloatTensor read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new Gradcam3dException("file " + file + " does not exist");
    } catch (IOException e) {
      throw new Gradcam3dException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return parse(bytes, file.toString());
  }

  public static FloatTensor parse(byte[] bytes, String label) {
    if (bytes.length < 10) {
      throw new Gradcam3dException(label + " is not a .npy file (too short)");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        throw new Gradcam3dException(label + " is not a .npy file (bad magic)");
      }
    }
    int major = bytes[6];
    ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int headerLen;
    int start;
    if (major == 1) {
      headerLen = bb.getShort(8) & 0xffff;
      start = 10;
    } else if (major == 2 || major == 3) {
      headerLen = bb.getInt(8);
      start = 12;
    } else {
      throw new Gradcam3dException(label + ": unsupported .npy format version " + major);
    }
    if (start + headerLen > bytes.length) {
      throw new Gradcam3dException(label + " is truncated (header)");
    }
    String header = new String(bytes, start, headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(header);
    Matcher f = FORTRAN.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !f.find() || !s.find()) {
      throw new Gradcam3dException(label + ": malformed .npy header: " + header.strip());
    }
    String descr = d.group(1);
    boolean fortran = f.group(1).equals("True");
    String shapeText = s.group(1).trim();
    long[] shape;
    if (shapeText.isEmpty()) {
      shape = new long[0];
    } else {
      String[] parts = shapeText.split(",");
      int n = 0;
      for (String p : parts) {
        if (!p.isBlank()) {
          n++;
        }
      }
      shape = new long[n];
      int k = 0;
      for (String p : parts) {
        if (!p.isBlank()) {
          shape[k++] = Long.parseLong(p.trim());
        }
      }
    }
    ByteOrder order = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    char kind = descr.charAt(1);
    int size = Integer.parseInt(descr.substring(2));
    long count = Shapes.numel(shape);
    int dataStart = start + headerLen;
    if (dataStart + count * size > bytes.length) {
      throw new Gradcam3dException(label + " is truncated: shape " + Shapes.format(shape) + " needs "
          + count * size + " bytes of " + descr + " data, the file has " + (bytes.length - dataStart));
    }
    ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, (int) (count * size)).slice().order(order);
    float[] out = new float[(int) count];
    for (int i = 0; i < count; i++) {
      out[i] = (float) element(data, i, kind, size, label, descr);
    }
    if (fortran && shape.length > 1) {
      out = fortranToC(out, shape);
    }
    return new FloatTensor(out, shape);
  }

  private static double element(ByteBuffer b, int i, char kind, int size, String label, String descr) {
    switch (kind) {
      case 'f':
        if (size == 4) {
          return b.getFloat(i * 4);
        } else if (size == 8) {
          return b.getDouble(i * 8);
        } else if (size == 2) {
          return halfToFloat(b.getShort(i * 2));
        }
        break;
      case 'i':
        switch (size) {
          case 1: return b.get(i);
          case 2: return b.getShort(i * 2);
          case 4: return b.getInt(i * 4);
          case 8: return b.getLong(i * 8);
          default: break;
        }
        break;
      case 'u':
        switch (size) {
          case 1: return b.get(i) & 0xff;
          case 2: return b.getShort(i * 2) & 0xffff;
          case 4: return b.getInt(i * 4) & 0xffffffffL;
          case 8: return (double) b.getLong(i * 8);
          default: break;
        }
        break;
      case 'b':
        return b.get(i) != 0 ? 1 : 0;
      default:
        break;
    }
    throw new Gradcam3dException(label + ": unsupported .npy data type '" + descr + "'");
  }

  private static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    float sign = (bits & 0x8000) != 0 ? -1f : 1f;
    if (exp == 0) {
      return sign * mant * (float) Math.pow(2, -24);
    }
    if (exp == 31) {
      return mant == 0 ? sign * Float.POSITIVE_INFINITY : Float.NaN;
    }
    return sign * (1 + mant / 1024f) * (float) Math.pow(2, exp - 15);
  }

  private static float[] fortranToC(float[] f, long[] shape) {
    float[] c = new float[f.length];
    int r = shape.length;
    long[] cStr = Shapes.strides(shape);
    long[] fStr = new long[r];
    long acc = 1;
    for (int i = 0; i < r; i++) {
      fStr[i] = acc;
      acc *= shape[i];
    }
    for (int i = 0; i < c.length; i++) {
      long src = 0;
      for (int a = 0; a < r; a++) {
        src += ((i / cStr[a]) % shape[a]) * fStr[a];
      }
      c[i] = f[(int) src];
    }
    return c;
  }

  /** Writes float32, C order, format 1.0; via a temporary file so nothing is half-written. */
  public static void write(FloatTensor t, Path file) {
    StringBuilder shape = new StringBuilder("(");
    long[] s = t.shape();
    for (int i = 0; i < s.length; i++) {
      shape.append(s[i]).append(s.length == 1 || i < s.length - 1 ? "," : "");
      if (i < s.length - 1) {
        shape.append(' ');
      }
    }
    shape.append(')');
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    int total = MAGIC.length + 4 + dict.length() + 1;
    int pad = (64 - total % 64) % 64;
    String header = dict + " ".repeat(pad) + "\n";
    ByteBuffer out = ByteBuffer.allocate(10 + header.length() + t.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    out.put(header.getBytes(StandardCharsets.ISO_8859_1));
    out.asFloatBuffer().put(t.data());
    AtomicFiles.write(file, os -> os.write(out.array()));
  }
}
