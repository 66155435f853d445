package gradcam3d.cam;

import gradcam3d.cam.methods.CamMethods;
import static gradcam3d.testing.Tensors.maxAbs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.graph.Graph;
import gradcam3d.graph.LayerResolver;
import gradcam3d.graph.LayerSpec;
import gradcam3d.graph.ModuleIndex;
import gradcam3d.graph.Node;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.OrtProgram;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.Fixtures;
import gradcam3d.volume.Npy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ablation-CAM evaluates only the network after the layer, fed the tensors that cross the cut.
 * Reference: the whole model with a Mul node inserted after the layer that zeroes one channel.
 */
class AblationCamTest {
  private static ModelProto withChannelZeroed(ModelProto model, String tensor, int channels, int channel,
      int rank) {
    Graph g = Graph.fromModel(model);
    float[] keep = new float[channels];
    Arrays.fill(keep, 1f);
    keep[channel] = 0f;
    long[] shape = new long[rank - 1];
    Arrays.fill(shape, 1);
    shape[0] = channels;
    g.initializers().put("keep", TensorProtos.ofFloats("keep", keep, shape));
    List<Node> nodes = new ArrayList<>();
    for (Node n : g.nodes()) {
      List<String> in = new ArrayList<>(n.inputs());
      in.replaceAll(s -> s.equals(tensor) ? "ablated" : s);
      nodes.add(n.withInputs(in));
    }
    nodes.add(new Node("ablate", "Mul", "", List.of(tensor, "keep"), List.of("ablated"), Map.of(), List.of()));
    g.nodes().clear();
    g.nodes().addAll(nodes);
    g.sortTopologically();
    return g.toModel();
  }

  @Test
  void cutGraphWithSkipConnectionsMatchesWholeModelAblation() {
    Fixtures.Case c = Fixtures.cases().stream().filter(k -> k.name().equals("seed_unet3d__down3__gradcam"))
        .findFirst().orElseThrow();
    ModelProto model = ModelIO.read(c.model());
    FloatTensor x = Npy.read(c.inputNpy());
    Target target = Target.parse("2");
    Request req = Request.builder(LayerSpec.names("down2"), CamMethods.byName("ablationcam"),
        target).batchSize(5).build();
    Explanation e;
    try (Explainer ex = new Explainer(model, req, new RuntimeOptions(2))) {
      e = ex.explain(Map.of("input", x));
    }
    float[][] w = e.layers().get(0).channelWeights();
    double t = e.targetValues().data()[0];
    Graph g = Graph.fromModel(model);
    String tensor = new LayerResolver(g, ModuleIndex.of(g)).resolve(LayerSpec.named("down2")).tensor();
    int channels = (int) e.layers().get(0).shape()[1];
    assertEquals(channels, w[0].length);
    // the predicted mask of the unablated model stays fixed
    FloatTensor fixedSeed;
    try (GradientEngine eng = new GradientEngine(model, GradientEngine.Config.builder(LayerSpec.names("down2"))
        .forwardOnly().extension(p -> p.addOutput(gradcam3d.runtime.SeedHead.EFFECTIVE_SEED)).build(),
        new RuntimeOptions(2))) {
      long[] os = eng.outputShape(Map.of("input", x.shape()));
      fixedSeed = eng.run(Map.of("input", x), Target.seed(List.of(target), os))
          .floats(gradcam3d.runtime.SeedHead.EFFECTIVE_SEED);
    }
    for (int ch : new int[] {0, 3, channels - 1}) {
      try (OrtProgram p = OrtProgram.create(withChannelZeroed(model, tensor, channels, ch, 5),
          new RuntimeOptions(2), "ablated model")) {
        float[] out = ((FloatTensor) p.run(Map.of("input", x), List.of("output")).get("output")).data();
        double ablated = 0;
        for (int i = 0; i < out.length; i++) {
          ablated += (double) out[i] * fixedSeed.data()[i];
        }
        double expected = (t - ablated) / t;
        assertEquals(expected, w[0][ch], 1e-4 * Math.max(1, Math.abs(expected)), "channel " + ch);
      }
    }
    assertTrue(maxAbs(e.cam()) > 0);
  }
}
