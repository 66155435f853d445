package gradcam3d.cam;

import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The flow of the kinds whose maps at layer resolution are made on the host ({@link OnHostFlow},
 * {@link PerturbationFlow}): a small program resizes them to the input grid.
 */
abstract class HostMapFlow extends EngineFlow {
  /** Each layer's map at layer resolution [B, *S], and its channel weights [B][C] (null when it has none). */
  record LayerCams(List<FloatTensor> camLayers, List<float[][]> weights) {}

  private final ResizeProgram resize;

  HostMapFlow(Request request, GradientEngine engine, RuntimeOptions options) {
    super(request, engine);
    this.resize = new ResizeProgram(options);
  }

  /** The maps at layer resolution from a run. */
  abstract LayerCams camLayers(Map<String, FloatTensor> inputs, GradientEngine.Result r);

  @Override
  Maps maps(Map<String, long[]> shapes, Map<String, FloatTensor> inputs, List<Target> targets,
      GradientEngine.Result r) {
    LayerCams c = camLayers(inputs, r);
    long[] inShape = shapes.values().iterator().next();
    List<FloatTensor> resized = resize.run(c.camLayers(), Arrays.copyOfRange(inShape, 2, inShape.length));
    List<Explanation.LayerMap> layers = new ArrayList<>();
    for (int i = 0; i < resized.size(); i++) {
      layers.add(layerMap(r, inputs, i, c.camLayers().get(i), resized.get(i), c.weights().get(i)));
    }
    return new Maps(layers, null);
  }

  @Override
  public void close() {
    try {
      super.close();
    } finally {
      resize.close();
    }
  }
}
