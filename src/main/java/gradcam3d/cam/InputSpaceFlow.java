package gradcam3d.cam;

import gradcam3d.autodiff.GradientProgram.LayerGradient;
import gradcam3d.graph.Graph;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.SeedHead;
import gradcam3d.tensor.FloatTensor;
import java.util.List;
import java.util.Map;

/**
 * The flow of an {@link CamMethod.InputSpace} method: the model input is the "layer" of the
 * program, its gradient (along the method's path, in batches) becomes the signed attribution
 * ({@link InputAttributions}) and the method's channel reduction the map. Guided Grad-CAM's
 * Grad-CAM factor comes from a second explainer at the user's layers.
 */
final class InputSpaceFlow extends EngineFlow {
  private final CamMethod.InputSpace method;
  private final Explainer camFactor;

  InputSpaceFlow(CamMethod.InputSpace method, ModelProto model, Request request, RuntimeOptions options) {
    super(request, new GradientEngine(model, request.programAt(List.of(LayerSpec.named(Graph.fromModel(model)
        .inputNames().get(0)))).rules(method.rules()).tensors(true, false)
        .extension(p -> p.addOutput(SeedHead.EFFECTIVE_SEED), "effective-seed").build(), options));
    this.method = method;
    this.camFactor = method.camFactor() == null ? null : new Explainer(model, request.toBuilder()
        .method(method.camFactor()).keepTensors(false).build(), options);
  }

  @Override
  Maps maps(Map<String, long[]> shapes, Map<String, FloatTensor> inputs, List<Target> targets,
      GradientEngine.Result r) {
    Map.Entry<String, FloatTensor> in = inputs.entrySet().iterator().next();
    FloatTensor factor = camFactor == null ? null : camFactor.explain(inputs, targets).cam();
    InputAttributions.Result ar = InputAttributions.compute(method, engine, in.getKey(), in.getValue(), r,
        request.batchSize(), factor);
    FloatTensor map = method.map(ar.attribution());
    LayerGradient l = r.layers().get(0);
    Explanation.LayerMap layer = new Explanation.LayerMap(l.layer(), l.shape(), map, InputAttributions.relu(map),
        request.keepTensors() ? in.getValue() : null, request.keepTensors() ? r.gradient(0) : null, null, null);
    return new Maps(List.of(layer), new Explanation.Attribution(ar.attribution(), ar.completenessGap()));
  }

  @Override
  public void close() {
    try {
      super.close();
    } finally {
      if (camFactor != null) {
        camFactor.close();
      }
    }
  }
}
