package gradcam3d.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy.Order;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Npy.write in every type, byte order and array order, read back by Npy.read; bytes on disk. */
class NpyRoundTripTest {
  @TempDir
  Path tmp;

  /** (descr, order): every supported type in both byte orders and both array orders. */
  static Stream<Arguments> formats() {
    List<Arguments> out = new ArrayList<>();
    for (String code : NpyFormulas.CODES) {
      for (String endian : List.of("<", ">")) {
        for (Order order : Order.values()) {
          out.add(Arguments.of(endian + code, order));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("formats")
  void writeThenRead(String descr, Order order) {
    String code = descr.substring(1);
    FloatTensor t = new FloatTensor(NpyFormulas.array(code), NpyFormulas.SHAPE);
    Path file = tmp.resolve("a.npy");
    Npy.write(t, file, descr, order);
    FloatTensor back = Npy.read(file);
    assertArrayEquals(t.shape(), back.shape());
    assertArrayEquals(t.data(), back.data(), 0f);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("formats")
  void oddShapesAndRanks(String descr, Order order) {
    for (long[] shape : List.of(new long[0], new long[] {5}, new long[] {3, 1, 5, 2}, new long[] {0, 4})) {
      int size = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
      float[] data = new float[size];
      for (int i = 0; i < size; i++) {
        data[i] = descr.endsWith("b1") ? (i * 7) % 2 : (i * 7) % 11;
      }
      Path file = tmp.resolve("odd.npy");
      Npy.write(new FloatTensor(data, shape), file, descr, order);
      FloatTensor back = Npy.read(file);
      assertArrayEquals(shape, back.shape(), Arrays.toString(shape));
      assertArrayEquals(data, back.data(), 0f, Arrays.toString(shape));
    }
  }

  @Test
  void headerAndElementOrderOnDisk() throws IOException {
    FloatTensor t = new FloatTensor(NpyFormulas.array("i2"), NpyFormulas.SHAPE);
    Path file = tmp.resolve("f.npy");
    Npy.write(t, file, ">i2", Order.FORTRAN);
    byte[] bytes = Files.readAllBytes(file);
    assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, Arrays.copyOf(bytes, 8));
    int headerLen = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
    assertEquals(0, (10 + headerLen) % 64, "data aligned to 64 bytes");
    String header = new String(bytes, 10, headerLen, StandardCharsets.ISO_8859_1);
    assertEquals("{'descr': '>i2', 'fortran_order': True, 'shape': (2, 3, 4), }", header.strip());
    assertTrue(header.endsWith("\n"));
    assertEquals(10 + headerLen + 24 * 2, bytes.length);
    // Fortran order: the first axis varies fastest, so the elements are n = 0, 12, 4, 16, 8, 20, 1, ...
    ByteBuffer data = ByteBuffer.wrap(bytes, 10 + headerLen, 48).slice().order(ByteOrder.BIG_ENDIAN);
    int[] firstSix = {0, 12, 4, 16, 8, 20};
    for (int i = 0; i < firstSix.length; i++) {
      assertEquals((firstSix[i] - 10) * 2500 - 3, data.getShort(2 * i), "element " + i);
    }
    assertEquals((23 - 10) * 2500 - 3, data.getShort(2 * 23));
  }

  @Test
  void theDefaultIsLittleEndianFloat32InCOrder() throws IOException {
    Path file = tmp.resolve("d.npy");
    Npy.write(new FloatTensor(new float[] {1.5f, -2f, 3.25f}, 3), file);
    byte[] bytes = Files.readAllBytes(file);
    String header = new String(bytes, 10, bytes.length - 10 - 12, StandardCharsets.ISO_8859_1);
    assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", header.strip());
    ByteBuffer data = ByteBuffer.wrap(bytes, bytes.length - 12, 12).slice().order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(-2f, data.getFloat(4));
  }

  @Test
  void oneByteTypesAreWrittenAsNumPyNamesThem() throws IOException {
    for (String[] pair : new String[][] {{"<i1", "|i1"}, {">u1", "|u1"}, {"|b1", "|b1"}, {"<b1", "|b1"}}) {
      Path file = tmp.resolve("one.npy");
      Npy.write(FloatTensor.zeros(2), file, pair[0]);
      String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      assertTrue(text.contains("'descr': '" + pair[1] + "'"), pair[0] + ": " + text);
    }
  }

  @Test
  void integersRoundToNearestTiesToEven() {
    float[] values = {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 0.49999997f, -0.50000006f, 126.5f, -128.5f, 127.4f};
    FloatTensor back = roundTrip(values, "<i1");
    assertArrayEquals(new float[] {-2, -2, 0, 0, 2, 2, 0, -1, 126, -128, 127}, back.data(), 0f);
    assertArrayEquals(new float[] {0, 0, 255}, roundTrip(new float[] {-0.5f, 0.4f, 255.49f}, "|u1").data(), 0f);
    // the largest float32 below 2^64 fits uint64, and the smallest int64 fits int64
    assertArrayEquals(new float[] {0x1p64f - 0x1p40f, 0x1p63f}, roundTrip(new float[] {0x1p64f - 0x1p40f, 0x1p63f}, ">u8").data(), 0f);
    assertArrayEquals(new float[] {-0x1p63f}, roundTrip(new float[] {-0x1p63f}, "<i8").data(), 0f);
    float[] int32 = {-0x1p31f, 0x1p31f - 128}; // the extremes of int32 that float32 can hold
    assertArrayEquals(int32, roundTrip(int32, "<i4").data(), 0f);
    assertArrayEquals(new float[] {0x1p32f - 256}, roundTrip(new float[] {0x1p32f - 256}, ">u4").data(), 0f);
  }

  @Test
  void float16RoundsToNearestEvenAsNumPyDoes() {
    // float16 values printed by numpy: np.array(values, np.float32).astype(np.float16)
    float[] values = {2049, 2051, 1f / 3, 0.1f, 3 * 0x1p-26f, 0x1p-25f, 3 * 0x1p-25f, 65519, 1e-8f, -2.5e-8f, 1000.25f,
        1000.75f};
    float[] numpy = {2048, 2052, 0.333251953125f, 0.0999755859375f, 0x1p-24f, 0, 0x1p-23f, 65504, 0, -0f, 1000, 1001};
    FloatTensor back = roundTrip(values, "<f2");
    for (int i = 0; i < values.length; i++) {
      assertEquals(numpy[i], back.data()[i], "float16(" + values[i] + ")");
    }
    FloatTensor specials = roundTrip(new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}, ">f2");
    assertTrue(Float.isNaN(specials.data()[0]));
    assertEquals(Float.POSITIVE_INFINITY, specials.data()[1]);
    assertEquals(Float.NEGATIVE_INFINITY, specials.data()[2]);
  }

  @Test
  void everyFloat16ValueAndEveryMidpointBetweenTwo() {
    // all 63,488 non-NaN float16 patterns survive a round trip bit for bit; each midpoint between
    // neighbours goes to the one with the even pattern, and anything off the midpoint to the nearer
    List<Float> values = new ArrayList<>();
    List<Float> expected = new ArrayList<>();
    for (int bits = 0; bits < 0x10000; bits++) {
      float v = half(bits);
      if (Float.isNaN(v)) {
        continue;
      }
      values.add(v);
      expected.add(v);
      int next = bits + 1;
      if ((bits & 0x7fff) < 0x7c00 && (next & 0x7fff) <= 0x7c00 && (next & 0x8000) == (bits & 0x8000)) {
        float w = half(next);
        if (Float.isInfinite(w)) {
          continue; // beyond 65504 the writer refuses (below)
        }
        float mid = (v + w) / 2; // exact: float32 has 13 more significand bits than float16
        values.add(mid);
        expected.add((bits & 1) == 0 ? v : w);
        values.add(Math.nextAfter(mid, v));
        expected.add(v);
        values.add(Math.nextAfter(mid, w));
        expected.add(w);
      }
    }
    float[] in = new float[values.size()];
    float[] want = new float[values.size()];
    for (int i = 0; i < in.length; i++) {
      in[i] = values.get(i);
      want[i] = expected.get(i);
    }
    float[] got = roundTrip(in, "<f2").data();
    for (int i = 0; i < in.length; i++) {
      if (Float.floatToIntBits(got[i]) != Float.floatToIntBits(want[i])) {
        throw new AssertionError("float16(" + in[i] + "): got " + got[i] + ", want " + want[i]);
      }
    }
  }

  /** float16 bits to float32, computed from the definition. */
  private static float half(int bits) {
    int exp = (bits >> 10) & 0x1f;
    int mant = bits & 0x3ff;
    double sign = (bits & 0x8000) != 0 ? -1 : 1;
    if (exp == 31) {
      return mant == 0 ? (float) (sign * Double.POSITIVE_INFINITY) : Float.NaN;
    }
    double magnitude = exp == 0 ? mant * Math.pow(2, -24) : (1 + mant / 1024.0) * Math.pow(2, exp - 15);
    return (float) (sign * magnitude);
  }

  @ParameterizedTest(name = "{1} from {0}")
  @CsvSource(delimiter = ';', value = {
      "128; |i1; the value 128.0 at index [1, 0, 2] does not fit; int8 holds integers -128..127.",
      "127.5; <i1; the value 127.5 at index [1, 0, 2] does not fit; int8 holds integers -128..127.",
      "-129; |i1; int8 holds integers -128..127.",
      "-0.6; |u1; the value -0.6 at index [1, 0, 2] does not fit; uint8 holds integers 0..255.",
      "65536; <u2; uint16 holds integers 0..65535.",
      "32768; >i2; int16 holds integers -32768..32767.",
      "2147483648; <i4; int32 holds integers -2147483648..2147483647.",
      "4294967296; >u4; uint32 holds integers 0..4294967295.",
      "9223372036854775808; <i8; int64 holds integers -9223372036854775808..9223372036854775807.",
      "18446744073709551616; >u8; uint64 holds integers 0..18446744073709551615.",
      "NaN; <i4; the value NaN at index [1, 0, 2] does not fit; int32",
      "Infinity; <i8; the value Infinity at index [1, 0, 2] does not fit",
      "0.5; |b1; the value 0.5 at index [1, 0, 2] does not fit; bool holds 0 and 1 only.",
      "2; |b1; bool holds 0 and 1 only.",
      "65520; <f2; the value 65520.0 at index [1, 0, 2] does not fit; float16's largest finite value is 65504."})
  void valuesATypeCannotHoldAreRefusedAndNothingIsWritten(float bad, String descr, String words) throws IOException {
    float[] data = new float[24];
    data[12 + 2] = bad; // index (1, 0, 2)
    data[23] = bad; // a second one: the message names the first
    FloatTensor t = new FloatTensor(data, NpyFormulas.SHAPE);
    for (Order order : Order.values()) {
      Path file = tmp.resolve("new").resolve("x.npy");
      Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> Npy.write(t, file, descr, order));
      assertTrue(e.getMessage().startsWith("cannot write " + file + " as "), e.getMessage());
      assertTrue(e.getMessage().contains(words), order + ": " + e.getMessage());
      assertFalse(Files.exists(tmp.resolve("new")), "nothing created");
    }
    // an existing file is left as it was
    Path existing = tmp.resolve("existing.npy");
    Npy.write(FloatTensor.zeros(2), existing);
    byte[] before = Files.readAllBytes(existing);
    assertThrows(Gradcam3dException.class, () -> Npy.write(t, existing, descr, Order.FORTRAN));
    assertArrayEquals(before, Files.readAllBytes(existing));
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(List.of(existing), files.toList(), "no temporary file left");
    }
  }

  @Test
  void float16PassesNaNAndInfinityAndOtherFloatTypesTakeAnything() {
    float[] all = {Float.MAX_VALUE, -Float.MIN_VALUE, Float.NaN, Float.NEGATIVE_INFINITY};
    for (String descr : List.of("<f4", ">f4", "<f8", ">f8")) {
      assertArrayEquals(all, roundTrip(all, descr).data(), 0f, descr);
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "<c8; unsupported .npy data type '<c8' (complex numbers); supported are float16/32/64",
      "|O; unsupported .npy data type '|O' (Python objects, stored pickled)",
      "<U3; '<U3' (unicode strings)",
      "<f16; unsupported .npy data type '<f16'; supported are",
      "<f3; unsupported .npy data type '<f3'",
      "<b2; unsupported .npy data type '<b2'",
      "float32; unsupported .npy data type 'float32'",
      "f4; '<f4' (little-endian) or '>f4' (big-endian)",
      "|i2; '<i2' (little-endian) or '>i2' (big-endian)",
      "=f8; '<f8' (little-endian) or '>f8' (big-endian)"})
  void unsupportedOrAmbiguousTypesAreRefused(String descr, String words) {
    Path file = tmp.resolve("x.npy");
    Gradcam3dException e = assertThrows(Gradcam3dException.class,
        () -> Npy.write(FloatTensor.zeros(2), file, descr));
    assertTrue(e.getMessage().startsWith("cannot write " + file), e.getMessage());
    assertTrue(e.getMessage().contains(words), e.getMessage());
    assertFalse(Files.exists(file));
  }

  @Test
  void hugeHeadersUseFormatVersion2() {
    // 22,000 axes of size 1: "1, " each, so the header text passes 64 KiB
    long[] shape = new long[22_000];
    Arrays.fill(shape, 1);
    FloatTensor t = new FloatTensor(new float[] {42f}, shape);
    byte[] bytes = Npy.encode(t, "<f4", Order.C, "huge");
    assertEquals(2, bytes[6], "format version 2.0");
    int headerLen = ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    assertTrue(headerLen > 0xffff);
    assertEquals(0, (12 + headerLen) % 64);
    FloatTensor back = Npy.parse(bytes, "huge");
    assertArrayEquals(shape, back.shape());
    assertArrayEquals(new float[] {42f}, back.data());
  }

  private FloatTensor roundTrip(float[] values, String descr) {
    Path file = tmp.resolve("r.npy");
    Npy.write(new FloatTensor(values, values.length), file, descr);
    return Npy.read(file);
  }
}
