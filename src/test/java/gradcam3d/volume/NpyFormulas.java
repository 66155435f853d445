package gradcam3d.volume;

import java.math.BigInteger;
import java.util.List;

/**
 * The values of the test arrays, the same formulas as src/test/resources/npy/make_npy_files.py:
 * element n (C order, n = 12a + 4b + c in a (2, 3, 4) array) of each type, as NumPy holds it
 * before the array is read as float32.
 */
final class NpyFormulas {
  /** Every element type gradcam3d reads and writes, by NumPy's type code (descr without order). */
  static final List<String> CODES = List.of("f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1");

  static final long[] SHAPE = {2, 3, 4};

  private NpyFormulas() {}

  /** Element n of the array of type {@code code}, exactly, as a BigInteger or Double. */
  static Number exact(String code, long n) {
    switch (code) {
      case "f2": return (n - 10) / 8.0;
      case "f4": return (double) (float) ((n - 10) * 0.375 + 0.1);
      case "f8": return (n - 10) * 1.0e-3 - 1.0e3;
      case "i1": return BigInteger.valueOf(n - 10);
      case "i2": return BigInteger.valueOf((n - 10) * 2500 - 3);
      case "i4": return BigInteger.valueOf((n - 10) * 150_000_000L - 3);
      case "i8": return BigInteger.valueOf((n - 10) * 700_000_000_000_000_000L - 3);
      case "u1": return BigInteger.valueOf(n * 10 + 3);
      case "u2": return BigInteger.valueOf(n * 2500 + 7);
      case "u4": return BigInteger.valueOf(n * 150_000_000L + 7);
      case "u8": return BigInteger.valueOf(n).multiply(BigInteger.valueOf(700_000_000_000_000_000L))
          .add(BigInteger.valueOf(7));
      case "b1": return BigInteger.valueOf(n % 3 == 0 ? 1 : 0);
      default: throw new IllegalArgumentException(code);
    }
  }

  /** Element n as float32, the way a reader that converts correctly rounds it. */
  static float asFloat(String code, long n) {
    Number v = exact(code, n);
    return v instanceof BigInteger ? ((BigInteger) v).floatValue() : (float) v.doubleValue();
  }

  /** The whole (2, 3, 4) array of type {@code code} as float32, C order. */
  static float[] array(String code) {
    float[] out = new float[24];
    for (int n = 0; n < out.length; n++) {
      out[n] = asFloat(code, n);
    }
    return out;
  }

  /** [min, min + 1, -1 (0 when unsigned), 1, max - 1, max] of an integer type, as in extremes_*.npy. */
  static float[] extremes(String code) {
    int bits = 8 * Integer.parseInt(code.substring(1));
    boolean signed = code.charAt(0) == 'i';
    BigInteger min = signed ? BigInteger.ONE.shiftLeft(bits - 1).negate() : BigInteger.ZERO;
    BigInteger max = BigInteger.ONE.shiftLeft(signed ? bits - 1 : bits).subtract(BigInteger.ONE);
    BigInteger[] values = {min, min.add(BigInteger.ONE), signed ? BigInteger.ONE.negate() : BigInteger.ZERO,
        BigInteger.ONE, max.subtract(BigInteger.ONE), max};
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i].floatValue();
    }
    return out;
  }
}
