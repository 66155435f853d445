package gradcam3d.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Damaged and foreign .npy files: one clear Gradcam3dException naming the file, never an index or
 * number-format exception. The damage is done to a file NumPy wrote (i4_le_c.npy: (2, 3, 4) int32,
 * a 128-byte header, 96 bytes of data).
 */
class NpyCorruptInputTest {
  private static final Path GOOD = Path.of("src/test/resources/npy/i4_le_c.npy");

  @TempDir
  Path tmp;

  private static byte[] good() throws IOException {
    return Files.readAllBytes(GOOD);
  }

  private Gradcam3dException refused(byte[] bytes, String... words) throws IOException {
    Path file = Files.write(tmp.resolve("bad.npy"), bytes);
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> Npy.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    for (String w : words) {
      assertTrue(e.getMessage().contains(w), "expected '" + w + "' in: " + e.getMessage());
    }
    return e;
  }

  /** The file with its header dict text replaced, padded to keep the data where it was. */
  private static byte[] withHeader(String dict) throws IOException {
    byte[] bytes = good();
    int headerLen = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
    String padded = dict + " ".repeat(headerLen - 1 - dict.length()) + "\n";
    System.arraycopy(padded.getBytes(StandardCharsets.ISO_8859_1), 0, bytes, 10, headerLen);
    return bytes;
  }

  @Test
  void theUndamagedFileReads() throws IOException {
    assertEquals(128 + 96, good().length);
    assertArrayEquals(NpyFormulas.array("i4"), Npy.read(GOOD).data(), 0f);
  }

  @ParameterizedTest
  @ValueSource(ints = {128 + 95, 128 + 50, 128})
  void truncatedData(int length) throws IOException {
    refused(Arrays.copyOf(good(), length), "is truncated: shape [2, 3, 4] of <i4 needs 96 bytes of data, the file has "
        + (length - 128) + ".");
  }

  @ParameterizedTest
  @ValueSource(ints = {100, 11})
  void truncatedHeader(int length) throws IOException {
    refused(Arrays.copyOf(good(), length), "is truncated (in the header: it announces 118 bytes, the file has "
        + (length - 10) + ")");
  }

  @ParameterizedTest
  @ValueSource(ints = {9, 6})
  void truncatedPreamble(int length) throws IOException {
    refused(Arrays.copyOf(good(), length), "is truncated (in the .npy preamble)");
  }

  @Test
  void badMagic() throws IOException {
    byte[] bytes = good();
    bytes[1] = 'X';
    refused(bytes, "is not a .npy file (bad magic)");
    refused("PK\u0003\u0004 an npz is a zip".getBytes(StandardCharsets.ISO_8859_1), "is not a .npy file (bad magic)");
    refused(new byte[0], "is not a .npy file (bad magic)");
    refused(new byte[] {(byte) 0x93, 'N', 'U'}, "is not a .npy file (bad magic)");
  }

  @Test
  void unknownFormatVersion() throws IOException {
    byte[] bytes = good();
    bytes[6] = 4;
    refused(bytes, "unsupported .npy format version 4.0 (1.0, 2.0 and 3.0 are supported)");
  }

  @Test
  void version2HeaderLengthBeyondTheFile() throws IOException {
    byte[] bytes = good();
    bytes[6] = 2;
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(8, -5); // 4294967291 as unsigned
    refused(bytes, "is truncated (in the header: it announces 4294967291 bytes");
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "{'descr': '<c8', 'fortran_order': False, 'shape': (2, 3, 2), }; unsupported .npy data type '<c8' (complex numbers)",
      "{'descr': '|O', 'fortran_order': False, 'shape': (24,), }; unsupported .npy data type '|O' (Python objects",
      "{'descr': '<f16', 'fortran_order': False, 'shape': (6,), }; unsupported .npy data type '<f16'; supported are",
      "{'descr': '<m8[s]', 'fortran_order': False, 'shape': (12,), }; '<m8[s]' (time spans)",
      "{'descr': '', 'fortran_order': False, 'shape': (24,), }; unsupported .npy data type ''",
      "{'descr': 'i4', 'fortran_order': False, 'shape': (24,), }; give the byte order, '<i4' (little-endian)",
      "{'descr': [('x', '<i4')], 'fortran_order': False, 'shape': (24,), }; holds a structured array"})
  void unsupportedDescr(String dict, String words) throws IOException {
    refused(withHeader(dict), words);
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      // more elements than the data holds
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3, 5), }; is truncated: shape [2, 3, 5] of <i4 needs 120 bytes of data, the file has 96.",
      // the right count for another type
      "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3, 4), }; is truncated: shape [2, 3, 4] of <i8 needs 192 bytes",
      // fewer elements than the data holds
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3, 3), }; does not match its header: shape [2, 3, 3] of <i4 needs 72 bytes of data, the file has 96.",
      "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3, 4), }; does not match its header: shape [2, 3, 4] of <f2 needs 48 bytes",
      "{'descr': '<i4', 'fortran_order': False, 'shape': (), }; does not match its header: shape [] of <i4 needs 4 bytes"})
  void headerAndDataDisagree(String dict, String words) throws IOException {
    refused(withHeader(dict), words);
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "{'descr': '<i4', 'shape': (2, 3, 4), }",
      "{'descr': '<i4', 'fortran_order': maybe, 'shape': (2, 3, 4), }",
      "{'descr': '<i4', 'fortran_order': False, 'shape': [2, 3, 4], }",
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2, -3, 4), }",
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2, three, 4), }",
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2,, 12), }",
      "not a dict at all"})
  void malformedHeader(String dict) throws IOException {
    refused(withHeader(dict), "malformed");
  }

  @Test
  void aHeaderWithoutItsClosingBraceIsRefusedAsNumpyDoes() throws IOException {
    // numpy: "Cannot parse header" (the dict literal is not closed)
    refused(withHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3, 4), "),
        "malformed .npy header (not a complete {...} dictionary)");
    refused(withHeader("'descr': '<i4', 'fortran_order': False, 'shape': (2, 3, 4), }"), "malformed");
  }

  @Test
  void shapesTooLargeToHold() throws IOException {
    refused(withHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (99999999999999999999,), }"), "too large");
    refused(withHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"), "too large");
    refused(withHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (65536, 65536), }"), "too large");
  }

  @Test
  void python2LongSuffixesAndOtherKeyOrdersAreAccepted() throws IOException {
    // Python 2's NumPy wrote 2L for long ints; NumPy itself still reads such headers
    FloatTensor t = Npy.read(Files.write(tmp.resolve("py2.npy"),
        withHeader("{'shape': (2L, 3L, 4L), 'fortran_order': False, 'descr': '<i4'}")));
    assertArrayEquals(NpyFormulas.SHAPE, t.shape());
    assertArrayEquals(NpyFormulas.array("i4"), t.data(), 0f);
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = tmp.resolve("nowhere.npy");
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> Npy.read(missing));
    assertEquals("file " + missing + " does not exist", e.getMessage());
  }
}
