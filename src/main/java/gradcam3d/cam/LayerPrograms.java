package gradcam3d.cam;

import gradcam3d.autodiff.GradientProgram;
import gradcam3d.autodiff.GradientProgram.LayerGradient;
import gradcam3d.graph.Graph;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.SeedHead;
import java.util.Arrays;
import java.util.List;

/**
 * The compiled programs the method kinds run, and the keys that name what each adds in the
 * on-disk program cache: the program at the request's layers with a kind's outputs, and the
 * forward-only program at the model input.
 */
public final class LayerPrograms {
  private LayerPrograms() {}

  /** A method's identity in program cache keys: its class, and its parameters when it is a record. */
  public static String methodKey(CamMethod m) {
    return m.getClass().getName() + (m instanceof Record ? m.toString() : ":" + m.name());
  }

  /** A forward-only program of the request's model output and score, the model input standing in for the layer. */
  static GradientEngine.Config.Builder forwardOnly(ModelProto model, Request request) {
    String input = Graph.fromModel(model).inputNames().get(0);
    return request.programAt(List.of(LayerSpec.named(input))).forwardOnly().tensors(false, false);
  }

  /**
   * The program at the request's layers for method {@code m}, adding {@code outputs} (named
   * {@code outputsKey} in the cache key) and, for a method that weighs channels by gradients,
   * the conditioning of its weights. {@code keepActivations}: the activations are outputs too.
   */
  static GradientEngine.Config.Builder atLayers(Request request, CamMethod m, boolean keepActivations,
      GradientEngine.Extension outputs, String outputsKey) {
    GradientEngine.Config.Builder cfg = request.programAt(request.layers())
        .tensors(keepActivations, false).contrast(m.contrast()).rules(m.rules());
    if (!m.usesGradients()) {
      cfg.forwardOnly();
    }
    if (request.windowed() && m.usesGradients() && !m.propagatesRelevance()) {
      // a window's map needs the gradient, not the target's value (read from the blend)
      cfg.withoutTargetValue();
    }
    if (m.usesGradients() && !m.propagatesRelevance()) {
      return cfg.extension(p -> {
        outputs.extend(p);
        Conditioning.append(p);
      }, outputsKey + "+conditioning");
    }
    return cfg.extension(outputs, outputsKey);
  }

  /** The program of an in-graph method: its maps, cam_layer_i and resized_i, are graph outputs. */
  static GradientEngine.Config.Builder inGraph(Request request, CamMethod.InGraph m) {
    return atLayers(request, m, request.keepTensors() || m.propagatesRelevance(), p -> {
      appendCams(p, m);
      p.addOutput(SeedHead.EFFECTIVE_SEED);
    }, "cams:" + methodKey(m) + "+effective-seed");
  }

  /** cam_layer_i and resized_i (ReLU-ed, on the input grid) as graph outputs. */
  private static void appendCams(GradientProgram p, CamMethod.InGraph method) {
    GraphBuilder b = p.builder();
    long[] s = p.modelInputShapes().values().iterator().next();
    long[] spatial = Arrays.copyOfRange(s, 2, s.length);
    for (int i = 0; i < p.layers().size(); i++) {
      LayerGradient l = p.layers().get(i);
      int layer = i;
      CamGraph g = new CamGraph(b, () -> p.hessianTimesActivation(layer));
      String camLayer = method.camLayer(g, l.activation(), l.gradient());
      b.opNamed("Identity", List.of(camLayer), List.of("cam_layer_" + i));
      b.opNamed("Identity", List.of(Resize.toInputGrid(b, camLayer, spatial)), List.of("resized_" + i));
      p.addOutput("cam_layer_" + i);
      p.addOutput("resized_" + i);
    }
  }
}
