package gradcam3d.cam;

import gradcam3d.Gradcam3dException;
import gradcam3d.autodiff.GradientProgram.LayerGradient;
import gradcam3d.graph.Graph;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.Lanes;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.SeedHead;
import gradcam3d.tensor.FloatTensor;
import java.util.List;
import java.util.Map;

/**
 * The flow of an {@link CamMethod.Occluding} method: the unperturbed pass fixes the target, its
 * region and its effective seed (no gradients); the occluded copies of each sample are scored on
 * lanes of forward-only programs ({@link WholeInputScorer}) and the method's channel reduction of
 * its attribution is the map.
 */
final class OcclusionFlow extends EngineFlow {
  private final CamMethod.Occluding method;
  private final ModelProto model;
  private final RuntimeOptions options;
  /** The forward-only programs that score occluded copies, one per lane; opened on first use. */
  private Lanes<GradientEngine> lanes;

  OcclusionFlow(CamMethod.Occluding method, ModelProto model, Request request, RuntimeOptions options) {
    super(request, new GradientEngine(model, LayerPrograms.forwardOnly(model, request).extension(
        p -> p.addOutput(SeedHead.EFFECTIVE_SEED), "effective-seed").build(), options));
    this.method = method;
    this.model = model;
    this.options = options;
  }

  @Override
  Maps maps(Map<String, long[]> shapes, Map<String, FloatTensor> inputs, List<Target> targets,
      GradientEngine.Result r) {
    if (inputs.size() != 1) {
      throw new Gradcam3dException(method.name() + " needs a model with a single input");
    }
    if (lanes == null) {
      lanes = Lanes.open(options, lane -> new GradientEngine(model, LayerPrograms.forwardOnly(model, request).build(),
          lane));
    }
    Graph g = Graph.fromModel(model);
    FloatTensor x = inputs.values().iterator().next();
    Explanation.Attribution attribution = WholeInputScorer.attributeEach(method, lanes, g, g.inputNames().get(0), x,
        r.floats(SeedHead.EFFECTIVE_SEED), request.batchSize(), request.progress());
    FloatTensor map = method.map(attribution.values());
    LayerGradient l = r.layers().get(0);
    Explanation.LayerMap layer = new Explanation.LayerMap(l.layer(), l.shape(), map, InputAttributions.relu(map),
        request.keepTensors() ? x : null, null, null, null);
    return new Maps(List.of(layer), attribution);
  }

  @Override
  public void close() {
    try {
      super.close();
    } finally {
      if (lanes != null) {
        lanes.close();
      }
    }
  }
}
