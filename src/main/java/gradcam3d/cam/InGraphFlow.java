package gradcam3d.cam;

import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The flow of an {@link CamMethod.InGraph} method: one compiled program computes every layer's
 * map and its resize to the input grid; the host only collects them.
 */
final class InGraphFlow extends EngineFlow {
  InGraphFlow(CamMethod.InGraph method, ModelProto model, Request request, RuntimeOptions options,
      boolean fromLayer) {
    super(request, new GradientEngine(model, fromLayer(LayerPrograms.inGraph(request, method), fromLayer), options));
  }

  /** The configuration as given, or starting at the layer's cut. */
  static GradientEngine.Config fromLayer(GradientEngine.Config.Builder cfg, boolean fromLayer) {
    return (fromLayer ? cfg.fromLayer() : cfg).build();
  }

  @Override
  Maps maps(Map<String, long[]> shapes, Map<String, FloatTensor> inputs, List<Target> targets,
      GradientEngine.Result r) {
    List<Explanation.LayerMap> layers = new ArrayList<>();
    for (int i = 0; i < r.layers().size(); i++) {
      layers.add(layerMap(r, inputs, i, r.floats("cam_layer_" + i), r.floats("resized_" + i), null));
    }
    return new Maps(layers, null);
  }
}
