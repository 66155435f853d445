package gradcam3d.cam;

import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.SeedHead;
import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The flow of an {@link CamMethod.OnHost} method: the program gives each layer's activation (and
 * gradient) and the method's arithmetic runs in Java. Exported as one graph, the method's in-graph
 * twin ({@link CamMethod.OnHost#inGraph}) stands in for the host arithmetic.
 */
final class OnHostFlow extends HostMapFlow {
  private final CamMethod.OnHost method;
  private final ModelProto model;
  private final RuntimeOptions options;

  OnHostFlow(CamMethod.OnHost method, ModelProto model, Request request, RuntimeOptions options,
      boolean fromLayer) {
    super(request, new GradientEngine(model, InGraphFlow.fromLayer(LayerPrograms.atLayers(request, method,
        true, p -> p.addOutput(SeedHead.EFFECTIVE_SEED), "effective-seed"), fromLayer), options), options);
    this.method = method;
    this.model = model;
    this.options = options;
  }

  @Override
  LayerCams camLayers(Map<String, FloatTensor> inputs, GradientEngine.Result r) {
    List<FloatTensor> camLayers = new ArrayList<>();
    for (int i = 0; i < r.layers().size(); i++) {
      camLayers.add(method.camLayer(activation(r, inputs, i), method.usesGradients() ? r.gradient(i) : null));
    }
    return new LayerCams(camLayers, Collections.nCopies(camLayers.size(), null));
  }

  /** The host's exact eigen-decomposition becomes iterative graph arithmetic, in the file only. */
  @Override
  public ModelProto compiledGraph(Map<String, long[]> shapes) {
    try (GradientEngine exported = new GradientEngine(model, LayerPrograms.inGraph(request, method.inGraph()).build(),
        options)) {
      return exported.program(shapes).toModel();
    }
  }
}
