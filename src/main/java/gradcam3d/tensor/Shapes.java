package gradcam3d.tensor;

import java.util.Arrays;

/** Small helpers for shapes held as long[] (-1 marks an unknown dimension). */
public final class Shapes {
  private Shapes() {}

  public static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        return -1;
      }
      n *= d;
    }
    return n;
  }

  public static boolean isKnown(long[] shape) {
    if (shape == null) {
      return false;
    }
    for (long d : shape) {
      if (d < 0) {
        return false;
      }
    }
    return true;
  }

  public static long[] strides(long[] shape) {
    long[] s = new long[shape.length];
    long acc = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= shape[i];
    }
    return s;
  }

  /** The coordinates of flat C-order index {@code flat} in a tensor of this shape. */
  public static long[] unravel(long flat, long[] shape) {
    long[] idx = new long[shape.length];
    long rest = flat;
    for (int a = shape.length - 1; a >= 0; a--) {
      idx[a] = rest % shape[a];
      rest /= shape[a];
    }
    return idx;
  }

  public static String format(long[] shape) {
    if (shape == null) {
      return "?";
    }
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(shape[i] < 0 ? "?" : Long.toString(shape[i]));
    }
    return sb.append(']').toString();
  }

  public static long[] parse(String text) {
    String t = text.trim();
    if (t.startsWith("[") || t.startsWith("(")) {
      t = t.substring(1, t.length() - 1);
    }
    String[] parts = t.split("[,x ]+");
    long[] s = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      s[i] = Long.parseLong(parts[i].trim());
      if (s[i] <= 0) {
        throw new NumberFormatException("dimension " + s[i] + " in " + text);
      }
    }
    return s;
  }

  public static long[] concat(long[] a, long[] b) {
    long[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  public static long[] tail(long[] shape, int from) {
    return Arrays.copyOfRange(shape, from, shape.length);
  }
}
