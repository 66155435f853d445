package gradcam3d.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.GraphProto;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.onnx.proto.Onnx.NodeProto;
import gradcam3d.onnx.proto.Onnx.OperatorSetIdProto;
import gradcam3d.onnx.proto.Onnx.StringStringEntryProto;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModuleNamesTest {
  private static String chainOf(String nodeName) {
    Node n = new Node(nodeName, "Conv", "", List.of("x"), List.of("y"), java.util.Map.of(), List.of());
    return String.join(" | ", ModuleScopes.chain(n));
  }

  @Test
  void torchScriptScopesRebuildFullModulePaths() {
    assertEquals("down1 | down1.maxpool_conv | down1.maxpool_conv.1 | down1.maxpool_conv.1.double_conv | "
        + "down1.maxpool_conv.1.double_conv.0", chainOf("/down1/maxpool_conv/maxpool_conv.1/double_conv/double_conv.0/Conv"));
    // MONAI UNet: Sequential "model", SkipConnection "model.1" with attribute "submodule"
    assertEquals("model | model.1 | model.1.submodule | model.1.submodule.1 | model.1.submodule.1.submodule",
        chainOf("/model/model.1/submodule/submodule.1/submodule/Add"));
    // a ModuleList element called directly from the root, then its own Sequential child
    assertEquals("encoder.0 | encoder.0.0 | encoder.0.0.conv", chainOf("/encoder.0/encoder.0.0/conv/Conv"));
    assertEquals("", chainOf("Conv_12"));
  }

  private static NodeProto node(String name, String op, List<String> in, String out, String scopes) {
    NodeProto.Builder b = NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(in).addOutput(out);
    if (scopes != null) {
      b.addMetadataProps(StringStringEntryProto.newBuilder().setKey(ModuleScopes.NAME_SCOPES_KEY).setValue(scopes));
    }
    return b.build();
  }

  private static Graph graph(NodeProto... nodes) {
    GraphProto.Builder g = GraphProto.newBuilder().setName("g")
        .addInput(Graph.valueInfo("x", DataTypes.FLOAT, new long[] {1, 1, 4, 4, 4}))
        .addOutput(Graph.valueInfo("y", DataTypes.FLOAT, null));
    for (String w : List.of("downsamples.0.conv1.conv.weight", "downsamples.0.conv2.conv.weight", "head.weight")) {
      g.addInitializer(TensorProtos.ofFloats(w, new float[] {1}, 1, 1, 1, 1, 1));
    }
    for (NodeProto n : nodes) {
      g.addNode(n);
    }
    return Graph.fromModel(ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(18)).setGraph(g).build());
  }

  @Test
  void torchExportNameScopesMetadata() {
    Graph g = graph(
        node("node_Conv_0", "Conv", List.of("x", "head.weight"), "a", "['', 'encoder', 'encoder.0', 'conv3d']"),
        node("node_Relu_1", "Relu", List.of("a"), "b", "['', 'encoder', 'encoder.1', 'relu']"),
        node("node_Conv_2", "Conv", List.of("b", "head.weight"), "y", "['', 'head', 'conv3d_1']"));
    ModuleIndex idx = ModuleIndex.of(g);
    assertEquals(List.of("encoder", "encoder.0", "encoder.1", "head"), idx.modules());
    assertEquals(List.of("b"), idx.outputs("encoder"));
    assertEquals("b", new LayerResolver(g, idx).resolve(LayerSpec.named("encoder")).tensor());
  }

  @Test
  void moduleRegisteredUnderOneNameAndCalledThroughAnother() {
    // DynUNet: named_modules() says downsamples.0, the graph records skip_layers.next_layer.downsample
    Graph g = graph(
        node("/skip_layers/next_layer/downsample/conv1/conv/Conv", "Conv",
            List.of("x", "downsamples.0.conv1.conv.weight"), "a", null),
        node("/skip_layers/next_layer/downsample/conv2/conv/Conv", "Conv",
            List.of("a", "downsamples.0.conv2.conv.weight"), "b", null),
        node("/head/Conv", "Conv", List.of("b", "head.weight"), "y", null));
    LayerResolver r = new LayerResolver(g, ModuleIndex.of(g));
    assertEquals("b", r.resolve(LayerSpec.named("downsamples.0")).tensor());
    assertEquals("a", r.resolve(LayerSpec.named("downsamples.0.conv1")).tensor());
    assertEquals("skip_layers.next_layer.downsample", r.resolve(LayerSpec.named("downsamples.0")).module());
    assertEquals("b", r.resolve(LayerSpec.named("skip_layers.next_layer.downsample")).tensor());
  }

  @Test
  void ambiguousNamesListTheCandidates() {
    // one module's weights read from two call paths
    Graph g = graph(
        node("/branch_a/block/conv1/conv/Conv", "Conv", List.of("x", "downsamples.0.conv1.conv.weight"), "a", null),
        node("/branch_b/block/conv1/conv/Conv", "Conv", List.of("a", "downsamples.0.conv1.conv.weight"), "b", null),
        node("/head/Conv", "Conv", List.of("b", "head.weight"), "y", null));
    LayerResolver r = new LayerResolver(g, ModuleIndex.of(g));
    Gradcam3dException e = assertThrows(Gradcam3dException.class,
        () -> r.resolve(LayerSpec.named("downsamples.0.conv1")));
    assertTrue(e.getMessage().contains("ambiguous") && e.getMessage().contains("branch_a.block.conv1")
        && e.getMessage().contains("branch_b.block.conv1"), e.getMessage());
  }

  @Test
  void rawTensorNamesAndUnknownNames() {
    Graph g = graph(node("/head/Conv", "Conv", List.of("x", "head.weight"), "y", null));
    LayerResolver r = new LayerResolver(g, ModuleIndex.of(g));
    assertEquals("x", r.resolve(LayerSpec.named("x")).tensor());
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> r.resolve(LayerSpec.named("haed")));
    assertTrue(e.getMessage().contains("closest module names: head"), e.getMessage());
  }

  private static Graph graphWithOutputs(List<String> outputs, NodeProto... nodes) {
    GraphProto.Builder g = GraphProto.newBuilder().setName("g")
        .addInput(Graph.valueInfo("x", DataTypes.FLOAT, new long[] {1, 1, 4, 4, 4}));
    for (String o : outputs) {
      g.addOutput(Graph.valueInfo(o, DataTypes.FLOAT, null));
    }
    for (String w : List.of("w", "s", "b")) {
      g.addInitializer(TensorProtos.ofFloats(w, new float[] {1}, 1, 1, 1, 1, 1));
    }
    for (NodeProto n : nodes) {
      g.addNode(n);
    }
    return Graph.fromModel(ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(g).build());
  }

  @Test
  void listElementsFollowTheReturnedOrderNotTheComputation() {
    // nnU-Net: lowest resolution computed first, returned last (seg_outputs[::-1])
    NodeProto low = node("/decoder/seg_layers.0/Relu", "Relu", List.of("x"), "low", null);
    NodeProto full = node("/decoder/seg_layers.1/Relu", "Relu", List.of("low"), "full", null);
    ModuleIndex asOutputs = ModuleIndex.of(graphWithOutputs(List.of("full", "low"), low, full));
    assertEquals(List.of("full", "low"), asOutputs.outputs("decoder"));
    assertTrue(!asOutputs.orderGuessed("decoder"));
    // gathered by one Concat outside the module: its input order
    ModuleIndex concat = ModuleIndex.of(graphWithOutputs(List.of("y"), low, full,
        node("/Concat", "Concat", List.of("full", "low"), "y", null)));
    assertEquals(List.of("full", "low"), concat.outputs("decoder"));
    assertTrue(!concat.orderGuessed("decoder"));
    // used separately: the order of computation, said to be a guess
    ModuleIndex apart = ModuleIndex.of(graphWithOutputs(List.of("y"), low, full,
        node("/Add", "Add", List.of("full", "low"), "y", null)));
    assertEquals(List.of("low", "full"), apart.outputs("decoder"));
    assertTrue(apart.orderGuessed("decoder"));
  }

  @Test
  void shapeArithmeticLeavingAModuleIsNotOneOfItsElements() {
    Graph g = graphWithOutputs(List.of("y"),
        node("/block/Relu", "Relu", List.of("x"), "a", null),
        node("/block/Shape", "Shape", List.of("a"), "s", null),
        node("/Reshape", "Reshape", List.of("a", "s"), "y", null));
    assertEquals(List.of("a"), ModuleIndex.of(g).outputs("block"));
  }

  @Test
  void namedModulesPathWithoutTheContainerTheExporterScopedItIn() {
    // nnU-Net ConvDropoutNormReLU: conv, norm, nonlin are attributes and all_modules' children
    Graph g = graphWithOutputs(List.of("y"),
        node("/convs/convs.0/all_modules/conv/Conv", "Conv", List.of("x", "w"), "c", null),
        node("/convs/convs.0/all_modules/norm/InstanceNormalization", "InstanceNormalization",
            List.of("c", "s", "b"), "n", null),
        node("/convs/convs.0/all_modules/nonlin/LeakyRelu", "LeakyRelu", List.of("n"), "r", null),
        node("/head/Conv", "Conv", List.of("r", "w"), "y", null));
    LayerResolver r = new LayerResolver(g, ModuleIndex.of(g));
    assertEquals("r", r.resolve(LayerSpec.named("convs.0.all_modules.nonlin")).tensor());
    assertEquals("r", r.resolve(LayerSpec.named("convs.0.nonlin")).tensor());
    assertEquals("n", r.resolve(LayerSpec.named("convs.0.norm")).tensor());
    assertEquals("c", r.resolve(LayerSpec.named("convs.0.all_modules.0")).tensor());
    assertEquals("r", r.resolve(LayerSpec.named("convs.0.all_modules.2")).tensor());
  }

  @Test
  void childOfAnAliasedModuleAndItsRegisteredNames() {
    // downsamples.0 also reached as skip_layers.next_layer.downsample; its activation has no
    // parameter to tell, its conv's weight does
    Graph g = graph(
        node("/skip_layers/next_layer/downsample/conv1/conv/Conv", "Conv",
            List.of("x", "downsamples.0.conv1.conv.weight"), "a", null),
        node("/skip_layers/next_layer/downsample/act/Relu", "Relu", List.of("a"), "b", null),
        node("/head/Conv", "Conv", List.of("b", "head.weight"), "y", null));
    LayerResolver r = new LayerResolver(g, ModuleIndex.of(g));
    assertEquals("b", r.resolve(LayerSpec.named("downsamples.0.act")).tensor());
    assertEquals("a", r.resolve(LayerSpec.named("downsamples.0.conv1")).tensor());
    java.util.Map<String, String> names = r.registeredNames();
    assertEquals("downsamples.0", names.get("skip_layers.next_layer.downsample"));
    assertEquals("downsamples.0.act", names.get("skip_layers.next_layer.downsample.act"));
    assertEquals("downsamples.0.conv1.conv", names.get("skip_layers.next_layer.downsample.conv1.conv"));
    assertTrue(!names.containsKey("skip_layers") && !names.containsKey("head"), names.toString());
  }

  @Test
  void torchExportModelsSayTheyRecordCallPaths() {
    Graph g = graph(
        node("node_Conv_0", "Conv", List.of("x", "head.weight"), "a", "['', 'skip_layers', 'skip_layers.next_layer', 'conv3d']"),
        node("node_Relu_1", "Relu", List.of("a"), "y", "['', 'skip_layers', 'skip_layers.next_layer', 'relu']"));
    LayerResolver r = new LayerResolver(g, ModuleIndex.of(g));
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> r.resolve(LayerSpec.named("bottleneck")));
    assertTrue(e.getMessage().contains("torch.export") && e.getMessage().contains("call path")
        && e.getMessage().contains("skip_layers.next_layer"), e.getMessage());
    assertTrue(LayerResolver.recordsCallPaths(g));
  }
}
