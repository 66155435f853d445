package gradcam3d.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gradcam3d.Gradcam3dException;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model read ahead is the model read in place; a changed or other file is read anew. */
class ModelReadAheadTest {
  @TempDir
  Path tmp;

  private static final Path DEMO = Path.of("src/main/resources/gradcam3d/demo/demo_unet3d.onnx");

  @Test
  void readAheadGivesTheSameModelAndTheSameError() throws Exception {
    ModelProto here = ModelIO.read(DEMO);
    ModelIO.readAhead(DEMO);
    assertArrayEquals(here.toByteArray(), ModelIO.read(DEMO).toByteArray());

    Path bad = tmp.resolve("bad.onnx");
    Files.write(bad, new byte[] {1, 2, 3, 4, 5});
    String direct = assertThrows(Gradcam3dException.class, () -> ModelIO.read(bad)).getMessage();
    ModelIO.readAhead(bad);
    assertEquals(direct, assertThrows(Gradcam3dException.class, () -> ModelIO.read(bad)).getMessage());
  }

  @Test
  void aFileChangedSinceOrAnotherFileIsReadAgain() throws Exception {
    Path m = tmp.resolve("m.onnx");
    Files.copy(DEMO, m);
    ModelIO.readAhead(m);
    Files.write(m, new byte[] {9, 9, 9}); // now corrupt: the model read ahead must not be used
    Files.setLastModifiedTime(m, FileTime.fromMillis(Files.getLastModifiedTime(m).toMillis() + 5000));
    assertThrows(Gradcam3dException.class, () -> ModelIO.read(m));

    ModelIO.readAhead(DEMO);
    Path copy = tmp.resolve("copy.onnx");
    Files.copy(DEMO, copy);
    assertArrayEquals(ModelIO.read(DEMO).toByteArray(), ModelIO.read(copy).toByteArray());
  }
}
