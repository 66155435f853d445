package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.testing.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model whose weights hold NaN says so, rather than that the target class is absent. */
class NanModelCliTest {
  @TempDir
  Path tmp;

  @Test
  void nanWeightsAreNamedAsTheCause() throws IOException {
    ModelProto m = ModelIO.read(Fixtures.ROOT.resolve("models/seed_unet3d.onnx"));
    ModelProto.Builder b = m.toBuilder();
    int w = 0;
    while (b.getGraph().getInitializer(w).getRawData().size() < 16) {
      w++;
    }
    TensorProto t = b.getGraph().getInitializer(w);
    ByteBuffer raw = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < raw.capacity() / 4; i++) {
      raw.putFloat(4 * i, Float.NaN);
    }
    b.getGraphBuilder().setInitializer(w, t.toBuilder().setRawData(ByteString.copyFrom(raw.array())));
    Path model = tmp.resolve("nan.onnx");
    ModelIO.write(b.build(), model, Long.MAX_VALUE);
    Cli.Run r = Cli.run("explain", "--model", model.toString(), "--input",
        Fixtures.ROOT.resolve("inputs/seed_unet3d.npy").toString(), "--layer", "down3", "--target", "1", "--threads",
        "1", "--out", tmp.resolve("out").toString());
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("the model's output is NaN"), r.err());
    assertFalse(r.err().contains("absent"), r.err());
    assertFalse(Files.exists(tmp.resolve("out")));
  }
}
