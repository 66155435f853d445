package gradcam3d.cam;

import gradcam3d.runtime.GradientEngine;
import gradcam3d.tensor.FloatTensor;
import java.util.List;
import java.util.Map;

/**
 * The work of an {@link CamMethod.OwnFlow} method for one {@link Explainer}: its programs, run for
 * a batch and turned into the explanation (maps resized to the input grid, not yet normalised).
 */
public interface MethodFlow extends AutoCloseable {
  /** The main program: the model output's shape, compile statistics and the exported graph come from it. */
  GradientEngine engine();

  /** As {@link Explainer#explainResized(Map, Map, List, boolean)}. */
  Explanation explainResized(Map<String, long[]> shapes, Map<String, FloatTensor> inputs, List<Target> targets,
      boolean releaseMemory);

  @Override
  void close();
}
