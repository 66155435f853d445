package gradcam3d.cam;

import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.tensor.FloatTensor;
import java.util.List;
import java.util.Map;

/**
 * The work of a method for one {@link Explainer}, opened by the method's kind
 * ({@link CamMethod#open}): its programs, run for a batch and turned into the explanation (maps
 * resized to the input grid, not yet normalised).
 */
public interface MethodFlow extends AutoCloseable {
  /** The main program: the model output's shape, compile statistics and the exported graph come from it. */
  GradientEngine engine();

  /** As {@link Explainer#explainResized(Map, Map, List, boolean)}. */
  Explanation explainResized(Map<String, long[]> shapes, Map<String, FloatTensor> inputs, List<Target> targets,
      boolean releaseMemory);

  /** The compiled explanation as a standalone ONNX model ({@link Explainer#compiledGraph}): the main program's. */
  default ModelProto compiledGraph(Map<String, long[]> shapes) {
    return engine().program(shapes).toModel();
  }

  @Override
  void close();
}
