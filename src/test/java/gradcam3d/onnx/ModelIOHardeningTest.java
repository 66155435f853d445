package gradcam3d.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import gradcam3d.Gradcam3dException;
import gradcam3d.onnx.proto.Onnx.GraphProto;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.onnx.proto.Onnx.StringStringEntryProto;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** External data stays inside the model's folder; dims must agree with data; odd files refused. */
class ModelIOHardeningTest {
  @TempDir
  Path tmp;

  private final Path seed = Fixtures.ROOT.resolve("models/seed_unet3d.onnx");

  /** A copy of the seed model in {@code tmp/model/} with large weights in external data. */
  private Path externalModel() {
    Path model = tmp.resolve("model/ext.onnx");
    ModelIO.write(ModelIO.read(seed), model, 1024);
    return model;
  }

  /** Rewrites the external-data entries of the first external initializer. */
  private static Path editFirstExternal(Path model, UnaryOperator<TensorProto.Builder> edit)
      throws IOException {
    ModelProto m = ModelProto.parseFrom(Files.readAllBytes(model));
    GraphProto.Builder g = m.getGraph().toBuilder();
    for (int i = 0; i < g.getInitializerCount(); i++) {
      if (g.getInitializer(i).getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
        g.setInitializer(i, edit.apply(g.getInitializer(i).toBuilder()));
        break;
      }
    }
    Files.write(model, m.toBuilder().setGraph(g).build().toByteArray());
    return model;
  }

  private static String firstExternalName(Path model) throws IOException {
    return ModelProto.parseFrom(Files.readAllBytes(model)).getGraph().getInitializerList().stream()
        .filter(t -> t.getDataLocation() == TensorProto.DataLocation.EXTERNAL)
        .findFirst().orElseThrow().getName();
  }

  private static UnaryOperator<TensorProto.Builder> entry(String key, String value) {
    return t -> {
      for (int j = 0; j < t.getExternalDataCount(); j++) {
        if (t.getExternalData(j).getKey().equals(key)) {
          t.setExternalData(j, StringStringEntryProto.newBuilder().setKey(key).setValue(value));
          return t;
        }
      }
      return t.addExternalData(StringStringEntryProto.newBuilder().setKey(key).setValue(value));
    };
  }

  private static String refused(Path model) {
    return assertThrows(Gradcam3dException.class, () -> ModelIO.read(model)).getMessage();
  }

  private void assertRefusedAsOutside(Path model, Path target) throws IOException {
    String tensor = firstExternalName(model);
    String message = refused(model);
    assertTrue(message.contains("tensor '" + tensor + "' points its external data outside the"
        + " model's folder; refused"), message);
    assertFalse(message.contains(target.getFileName().toString()), "does not name the target: "
        + message);
    assertFalse(message.contains(Long.toString(Files.size(target))), "does not leak its size: "
        + message);
    assertFalse(message.contains("\n"), message);
  }

  @Test
  void aRelativePathOutOfTheFolderIsRefused() throws IOException {
    Path secret = Files.write(tmp.resolve("secret-weights.bin"), new byte[1 << 20]);
    Path model = editFirstExternal(externalModel(), entry("location", "../secret-weights.bin"));
    assertRefusedAsOutside(model, secret);
  }

  @Test
  void anAbsolutePathIsRefused() throws IOException {
    Path secret = Files.write(tmp.resolve("secret-weights.bin"), new byte[1 << 20]);
    Path model = editFirstExternal(externalModel(), entry("location", secret.toString()));
    assertRefusedAsOutside(model, secret);
  }

  @Test
  void aSymlinkOutOfTheFolderIsRefused() throws IOException {
    Path secret = Files.write(tmp.resolve("secret-weights.bin"), new byte[1 << 20]);
    Path model = externalModel();
    Files.createSymbolicLink(model.resolveSibling("link.bin"), secret);
    editFirstExternal(model, entry("location", "link.bin"));
    assertRefusedAsOutside(model, secret);
  }

  @Test
  void aSymlinkInsideTheFolderIsFollowed() throws IOException {
    Path model = externalModel();
    Path data = model.resolveSibling("ext.onnx.data");
    Files.createDirectories(model.resolveSibling("weights"));
    Files.move(data, model.resolveSibling("weights/real.data"));
    Files.createSymbolicLink(data, Path.of("weights/real.data"));
    ModelProto back = ModelIO.read(model);
    ModelProto want = ModelIO.read(seed);
    assertEquals(want.getGraph().getInitializerCount(), back.getGraph().getInitializerCount());
    for (int i = 0; i < want.getGraph().getInitializerCount(); i++) {
      assertEquals(want.getGraph().getInitializer(i).getRawData(),
          back.getGraph().getInitializer(i).getRawData());
    }
  }

  @Test
  void negativeNonNumericAndOversizedOffsetsAndLengthsAreOneLineErrors() throws IOException {
    for (String[] bad : new String[][] {
        {"offset", "-4"}, {"offset", "twelve"}, {"length", "-1"}, {"length", "1e3"},
        {"offset", "99999999999999999999"}}) {
      Path model = editFirstExternal(externalModel(), entry(bad[0], bad[1]));
      String message = refused(model);
      assertTrue(message.contains("tensor '" + firstExternalName(model) + "' has external data "
          + bad[0] + " '" + bad[1] + "', which is not a whole number of bytes"), message);
    }
    Path pastTheEnd = editFirstExternal(externalModel(), entry("offset", "9223372036854775000"));
    String message = refused(pastTheEnd);
    assertTrue(message.contains("is too short for tensor '" + firstExternalName(pastTheEnd) + "'"),
        message);
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void aFifoAsModelOrExternalDataIsRefusedWithoutBlocking() throws Exception {
    Path fifo = mkfifo(tmp.resolve("model.onnx"));
    assertTrue(refused(fifo).contains("is not a regular file"), refused(fifo));

    Path model = externalModel();
    Path data = model.resolveSibling("ext.onnx.data");
    Files.delete(data);
    mkfifo(data);
    String message = refused(model);
    assertTrue(message.contains("is not a regular file; refused"), message);
  }

  @Test
  void initializerDimsThatContradictTheirDataNameTheTensor() {
    ModelProto m = ModelIO.read(seed);
    GraphProto.Builder g = m.getGraph().toBuilder();
    TensorProto w = g.getInitializer(0);
    g.setInitializer(0, w.toBuilder().clearDims()
        .addAllDims(java.util.List.of(1L << 20, 1L << 20, 3L, 3L, 3L)));
    Gradcam3dException e = assertThrows(Gradcam3dException.class,
        () -> ModelIO.parse(m.toBuilder().setGraph(g).build().toByteArray(), "big.onnx", tmp));
    assertTrue(e.getMessage().startsWith("big.onnx: tensor '" + w.getName() + "' has dims"),
        e.getMessage());

    // a count that fits but disagrees with the bytes held
    GraphProto.Builder g2 = m.getGraph().toBuilder();
    g2.setInitializer(0, w.toBuilder().setRawData(w.getRawData().substring(4)));
    e = assertThrows(Gradcam3dException.class,
        () -> ModelIO.parse(m.toBuilder().setGraph(g2).build().toByteArray(), "short.onnx", tmp));
    assertTrue(e.getMessage().contains("tensor '" + w.getName() + "' has dims "), e.getMessage());
    assertTrue(e.getMessage().contains("but holds " + (w.getRawData().size() - 4) + " bytes of"
        + " data (" + w.getRawData().size() + " needed)"), e.getMessage());

    // typed fields count values, not bytes
    GraphProto.Builder g3 = m.getGraph().toBuilder();
    g3.setInitializer(0, TensorProto.newBuilder().setName("typed").setDataType(DataTypes.FLOAT)
        .addDims(3).addFloatData(1).addFloatData(2).setRawData(ByteString.EMPTY).clearRawData());
    e = assertThrows(Gradcam3dException.class,
        () -> ModelIO.parse(m.toBuilder().setGraph(g3).build().toByteArray(), "typed.onnx", tmp));
    assertTrue(e.getMessage().contains("tensor 'typed' has dims [3] (3 elements) but holds 2"
        + " values of data"), e.getMessage());
  }

  static Path mkfifo(Path path) throws Exception {
    Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
    assertEquals(0, p.waitFor());
    return path;
  }
}
