package gradcam3d.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.UnknownFieldSet;
import gradcam3d.Gradcam3dException;
import gradcam3d.graph.Graph;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.onnx.proto.Onnx.NodeProto;
import gradcam3d.onnx.proto.Onnx.StringStringEntryProto;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelIOTest {
  @TempDir
  Path tmp;

  private final Path seed = Fixtures.ROOT.resolve("models/seed_unet3d.onnx");

  @Test
  void externalDataRoundTrip() throws IOException {
    ModelProto original = ModelIO.read(seed);
    Path out = tmp.resolve("sub/ext.onnx");
    ModelIO.write(original, out, 1024);
    Path data = tmp.resolve("sub/ext.onnx.data");
    assertTrue(Files.size(data) > 400_000, "large initializers went to the data file");
    assertTrue(Files.size(out) < 100_000, "the model file keeps only small tensors");
    ModelProto raw = ModelProto.parseFrom(Files.readAllBytes(out));
    long external = raw.getGraph().getInitializerList().stream()
        .filter(t -> t.getDataLocation() == TensorProto.DataLocation.EXTERNAL).count();
    assertTrue(external > 10);
    ModelProto back = ModelIO.read(out);
    Map<String, TensorProto> want = new HashMap<>();
    original.getGraph().getInitializerList().forEach(t -> want.put(t.getName(), t));
    for (TensorProto t : back.getGraph().getInitializerList()) {
      assertArrayEquals(TensorProtos.toFloats(want.get(t.getName())), TensorProtos.toFloats(t), t.getName());
    }
    assertEquals(original.getGraph().getNodeList(), back.getGraph().getNodeList());
    assertEquals(original.getOpsetImportList(), back.getOpsetImportList());
    assertEquals(original.getProducerName(), back.getProducerName());
  }

  @Test
  void truncatedExternalDataIsReported() throws IOException {
    Path out = tmp.resolve("ext.onnx");
    ModelIO.write(ModelIO.read(seed), out, 1024);
    Path data = tmp.resolve("ext.onnx.data");
    byte[] bytes = Files.readAllBytes(data);
    Files.write(data, java.util.Arrays.copyOf(bytes, bytes.length - 100));
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> ModelIO.read(out));
    assertTrue(e.getMessage().contains("too short"), e.getMessage());
  }

  @Test
  void metadataAndUnknownFieldsSurviveAWriteAndRead() {
    ModelProto original = ModelIO.read(seed);
    // field 20 (training_info) is not in gradcam3d's schema subset: it must still round-trip
    UnknownFieldSet unknown = UnknownFieldSet.newBuilder()
        .addField(20, UnknownFieldSet.Field.newBuilder().addLengthDelimited(com.google.protobuf.ByteString.copyFromUtf8("xyz")).build())
        .build();
    ModelProto m = original.toBuilder()
        .addMetadataProps(StringStringEntryProto.newBuilder().setKey("author").setValue("gradcam3d"))
        .setUnknownFields(unknown).build();
    Path out = tmp.resolve("meta.onnx");
    ModelIO.write(m, out, Long.MAX_VALUE);
    ModelProto back = ModelIO.read(out);
    assertEquals("gradcam3d", back.getMetadataProps(0).getValue());
    assertTrue(back.getUnknownFields().hasField(20));
    assertFalse(Files.exists(tmp.resolve("meta.onnx.data")));
  }

  @Test
  void constantNodesBecomeInitializers() {
    ModelProto m = ModelIO.read(seed).toBuilder().build();
    ModelProto.Builder b = m.toBuilder();
    b.getGraphBuilder()
        .addNode(NodeProto.newBuilder().setOpType("Constant").addOutput("k_tensor").addAttribute(
            Attributes.of("value", TensorProtos.ofFloats("", new float[] {1, 2}, 2))))
        .addNode(NodeProto.newBuilder().setOpType("Constant").addOutput("k_float").addAttribute(
            Attributes.of("value_float", 2.5f)))
        .addNode(NodeProto.newBuilder().setOpType("Constant").addOutput("k_ints").addAttribute(
            Attributes.of("value_ints", new long[] {3, 4, 5})));
    Graph g = Graph.fromModel(b.build());
    assertArrayEquals(new float[] {1, 2}, TensorProtos.toFloats(g.initializers().get("k_tensor")));
    assertArrayEquals(new float[] {2.5f}, TensorProtos.toFloats(g.initializers().get("k_float")));
    assertArrayEquals(new long[] {3, 4, 5}, TensorProtos.toLongs(g.initializers().get("k_ints")));
    assertTrue(g.nodes().stream().noneMatch(n -> n.opType().equals("Constant")));
  }

  @Test
  void typedFieldsAndFloat16AreDecoded() {
    TensorProto f = TensorProto.newBuilder().setDataType(DataTypes.FLOAT).addDims(3).addFloatData(1.5f)
        .addFloatData(-2f).addFloatData(0.25f).build();
    assertArrayEquals(new float[] {1.5f, -2f, 0.25f}, TensorProtos.toFloats(f));
    TensorProto h = TensorProto.newBuilder().setDataType(DataTypes.FLOAT16).addDims(3)
        .addInt32Data(0x3c00).addInt32Data(0xc000).addInt32Data(0x3555).build();
    float[] hv = TensorProtos.toFloats(h);
    assertEquals(1f, hv[0]);
    assertEquals(-2f, hv[1]);
    assertEquals(0.333251953125f, hv[2]);
    TensorProto i = TensorProtos.of("i", DataTypes.INT32, new double[] {-7, 9}, 2);
    assertArrayEquals(new long[] {-7, 9}, TensorProtos.toLongs(i));
  }

  @Test
  void randomBytesAreNotAModel() throws IOException {
    Path p = tmp.resolve("noise.onnx");
    byte[] b = new byte[5000];
    new java.util.Random(1).nextBytes(b);
    Files.write(p, b);
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> ModelIO.read(p));
    assertTrue(e.getMessage().contains("noise.onnx"), e.getMessage());
  }
}
