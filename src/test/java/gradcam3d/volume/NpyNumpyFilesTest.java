package gradcam3d.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files written by NumPy 2.4 (src/test/resources/npy/make_npy_files.py) read exactly: every type,
 * both byte orders, C and Fortran order, format versions 1 to 3. The expected values come from the
 * generator's formulas, restated in {@link NpyFormulas}.
 */
class NpyNumpyFilesTest {
  private static final Path DIR = Path.of("src/test/resources/npy");

  /** (file, type code): every type, byte order and array order. */
  static Stream<Arguments> arrays() {
    List<Arguments> out = new ArrayList<>();
    for (String code : NpyFormulas.CODES) {
      boolean oneByte = code.endsWith("1");
      for (String endian : oneByte ? List.of("") : List.of("_le", "_be")) {
        for (String order : List.of("_c", "_f")) {
          out.add(Arguments.of(code + endian + order + ".npy", code));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("arrays")
  void everyTypeByteOrderAndArrayOrder(String file, String code) {
    FloatTensor t = Npy.read(DIR.resolve(file));
    assertArrayEquals(NpyFormulas.SHAPE, t.shape(), file);
    assertArrayEquals(NpyFormulas.array(code), t.data(), 0f, file);
  }

  @Test
  void spotValuesOfTheFortranFiles() {
    // element (a, b, c) = (1, 2, 3) is n = 23, (1, 0, 0) is n = 12: C-order positions after reading
    FloatTensor i2 = Npy.read(DIR.resolve("i2_be_f.npy"));
    assertEquals((23 - 10) * 2500 - 3, i2.data()[23]);
    assertEquals((12 - 10) * 2500 - 3, i2.data()[12]);
    FloatTensor u4 = Npy.read(DIR.resolve("u4_le_f.npy"));
    assertEquals(3_450_000_007f, u4.data()[23]); // above 2^31: read as unsigned
    FloatTensor u8 = Npy.read(DIR.resolve("u8_be_c.npy"));
    assertEquals(1.61e19f, u8.data()[23]); // above 2^63: read as unsigned
    FloatTensor b = Npy.read(DIR.resolve("b1_f.npy"));
    assertArrayEquals(new float[] {1, 0, 0, 1}, new float[] {b.data()[0], b.data()[1], b.data()[2], b.data()[3]});
  }

  @Test
  void zeroDimensionalOneDimensionalAndEmptyArrays() {
    FloatTensor scalar = Npy.read(DIR.resolve("scalar_f8_be.npy"));
    assertArrayEquals(new long[0], scalar.shape());
    assertArrayEquals(new float[] {-2.5f}, scalar.data());
    FloatTensor scalarInt = Npy.read(DIR.resolve("scalar_i2_le.npy"));
    assertArrayEquals(new long[0], scalarInt.shape());
    assertArrayEquals(new float[] {-7f}, scalarInt.data());
    FloatTensor vector = Npy.read(DIR.resolve("vector_i4_be.npy"));
    assertArrayEquals(new long[] {7}, vector.shape());
    assertArrayEquals(new float[] {-3, -2, -1, 0, 1, 2, 3}, vector.data());
    FloatTensor empty = Npy.read(DIR.resolve("empty_f4_le.npy"));
    assertArrayEquals(new long[] {0, 3}, empty.shape());
    assertEquals(0, empty.size());
  }

  @Test
  void fortranMatrixOfAnotherShape() {
    FloatTensor m = Npy.read(DIR.resolve("matrix_u2_be_f.npy"));
    assertArrayEquals(new long[] {5, 2}, m.shape());
    assertArrayEquals(new float[] {0, 1, 10, 11, 20, 21, 30, 31, 40, 41}, m.data());
  }

  @ParameterizedTest
  @ValueSource(strings = {"i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"})
  void integerExtremes(String code) {
    FloatTensor t = Npy.read(DIR.resolve("extremes_" + code + ".npy"));
    assertArrayEquals(NpyFormulas.extremes(code), t.data(), 0f, code);
  }

  @Test
  void unsigned64BitExtremesAreNotReadAsNegative() {
    float[] u8 = Npy.read(DIR.resolve("extremes_u8.npy")).data();
    assertArrayEquals(new float[] {0, 1, 0, 1, 0x1p64f, 0x1p64f}, u8, 0f);
    float[] i8 = Npy.read(DIR.resolve("extremes_i8.npy")).data();
    assertArrayEquals(new float[] {-0x1p63f, -0x1p63f, -1, 1, 0x1p63f, 0x1p63f}, i8, 0f);
  }

  @Test
  void float16Specials() {
    float[] v = Npy.read(DIR.resolve("f2_special_le.npy")).data();
    // 0, -0, 2^-24, 2^-14, 65504, inf, -inf, nan, float16(1/3) = 0x3555
    float[] want = {0f, -0f, 0x1p-24f, 0x1p-14f, 65504f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.NaN, 0.333251953125f};
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], v[i], "element " + i); // bitwise: -0 is not 0, NaN is NaN
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"version2_f4_le.npy", "version3_f4_le.npy"})
  void formatVersions2And3(String file) {
    FloatTensor t = Npy.read(DIR.resolve(file));
    assertArrayEquals(NpyFormulas.SHAPE, t.shape());
    assertArrayEquals(NpyFormulas.array("f4"), t.data(), 0f);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      "complex64.npy; '<c8' (complex numbers)",
      "object.npy; '|O' (Python objects, stored pickled)",
      "unicode.npy; '<U2' (unicode strings)",
      "datetime.npy; '<M8[D]' (dates and times)",
      "structured.npy; holds a structured array"})
  void typesNumPyWritesButGradcam3dRefuses(String file, String words) {
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> Npy.read(DIR.resolve(file)));
    assertTrue(e.getMessage().contains(file), e.getMessage());
    assertTrue(e.getMessage().contains(words), e.getMessage());
    assertTrue(e.getMessage().contains("float16/32/64 (f2, f4, f8), int8..64 (i1..i8), uint8..64 (u1..u8) and bool (b1)"),
        e.getMessage());
  }
}
