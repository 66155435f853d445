package gradcam3d.tensor;

/** IEEE 754 binary16 conversions (Java 17 has none), shared by the ONNX and NumPy readers. */
public final class Float16 {
  private Float16() {}

  /** The value of IEEE binary16 bits. */
  public static float toFloat(short h) {
    int bits = h & 0xffff;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    float sign = (bits & 0x8000) != 0 ? -1f : 1f;
    if (exp == 0) {
      return sign * mant * 0x1p-24f;
    }
    if (exp == 31) {
      return mant == 0 ? sign * Float.POSITIVE_INFINITY : Float.NaN;
    }
    return sign * (1024 + mant) * Math.scalb(1f, exp - 25);
  }

  /** IEEE binary16 bits of {@code f}, rounded to nearest, ties to even (overflow gives infinity). */
  public static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) {
      return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
    }
    int e = exp - 127 + 15; // the half's biased exponent, if normal
    if (e >= 31) {
      return (short) (sign | 0x7c00);
    }
    int shift;
    int m;
    int base;
    if (e <= 0) {
      if (e < -10) {
        return (short) sign; // below half the smallest subnormal (2^-25): zero
      }
      m = mant | 0x800000;
      shift = 14 - e;
      base = 0;
    } else {
      m = mant;
      shift = 13;
      base = e << 10;
    }
    int h = base | (m >>> shift);
    int rest = m & ((1 << shift) - 1);
    int halfway = 1 << (shift - 1);
    if (rest > halfway || (rest == halfway && (h & 1) != 0)) {
      h++; // a carry out of the mantissa correctly bumps the exponent, up to infinity
    }
    return (short) (sign | h);
  }
}
