package gradcam3d.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gradcam3d.volume.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelsTest {
  @Test
  void holdsEveryClassIndexItIsMadeFor() {
    for (int classes : new int[] {2, 256, 300, 70000}) {
      Labels l = Labels.zeros(classes, 3, 5);
      float[] expected = new float[15];
      for (int v = 0; v < 15; v++) {
        int cls = (v * 7919) % classes;
        l.set(v, cls);
        expected[v] = cls;
      }
      assertArrayEquals(expected, l.toFloatTensor().data(), classes + " classes");
      assertArrayEquals(new long[] {3, 5}, l.toFloatTensor().shape());
      assertEquals(classes - 1, Labels.of(new FloatTensor(new float[] {classes - 1, 0}, 2)).get(0));
    }
  }

  @Test
  void refusesWhatIsNotAClassIndex() {
    assertThrows(IllegalArgumentException.class, () -> Labels.of(new FloatTensor(new float[] {1.5f}, 1)));
    assertThrows(IllegalArgumentException.class, () -> Labels.of(new FloatTensor(new float[] {-1f}, 1)));
    assertThrows(IllegalArgumentException.class, () -> Labels.of(new FloatTensor(new float[] {Float.NaN}, 1)));
  }

  /** segmentation.npy written from the labels is the file the float tensor of the same labels gives. */
  @Test
  void npyOfLabelsIsTheNpyOfTheirFloats(@TempDir Path dir) throws Exception {
    // more voxels than one write chunk (262,144 floats), so the chunk boundary is crossed
    long[] shape = {1, 3, 300, 301};
    Labels l = Labels.zeros(4, shape);
    for (int v = 0; v < l.size(); v++) {
      l.set(v, (v / 97) % 4);
    }
    Npy.write(l, dir.resolve("a.npy"));
    Npy.write(l.toFloatTensor(), dir.resolve("b.npy"));
    assertArrayEquals(Files.readAllBytes(dir.resolve("b.npy")), Files.readAllBytes(dir.resolve("a.npy")));
    assertArrayEquals(l.toFloatTensor().data(), Npy.read(dir.resolve("a.npy")).data());
  }
}
