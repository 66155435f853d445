package gradcam3d.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy.Order;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Npy.read decodes the data chunk by chunk from the file (2^18 values per read): arrays longer
 * than a chunk, in every element size and both array orders, read as Npy.parse reads the whole
 * file's bytes, and as the values written; a file cut in its data fails as truncated.
 */
class NpyChunkedReadTest {
  @TempDir
  Path tmp;

  /** 15 x 18300 = 274500 values, more than one chunk (262144); small integers, which every type holds exactly. */
  private static FloatTensor values() {
    int n = 15 * 18300;
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (i * 37) % 101;
    }
    return new FloatTensor(v, 3, 5, n / 15);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"<f4, C", ">f4, FORTRAN", "<f8, C", ">f2, C", "<i2, FORTRAN", "|u1, C", "<u8, C", ">i4, C"})
  void longerThanAChunkReadsAsTheWholeFileParses(String descr, Order order) throws IOException {
    FloatTensor t = values();
    Path file = tmp.resolve("a.npy");
    Npy.write(t, file, descr, order);
    FloatTensor read = Npy.read(file);
    FloatTensor parsed = Npy.parse(Files.readAllBytes(file), file.toString());
    assertArrayEquals(t.shape(), read.shape());
    assertArrayEquals(parsed.data(), read.data(), 0f);
    assertArrayEquals(t.data(), read.data(), 0f);
  }

  @ParameterizedTest(name = "cut after {0} data bytes")
  @CsvSource({"0", "1048575", "1048577"})
  void aFileCutInItsDataIsTruncated(int keptDataBytes) throws IOException {
    Path file = tmp.resolve("a.npy");
    Npy.write(values(), file);
    byte[] whole = Files.readAllBytes(file);
    int dataStart = whole.length - 4 * values().size();
    Files.write(file, Arrays.copyOf(whole, dataStart + keptDataBytes));
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> Npy.read(file));
    assertTrue(e.getMessage().contains("is truncated"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }
}
