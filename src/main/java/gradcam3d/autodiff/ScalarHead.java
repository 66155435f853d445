package gradcam3d.autodiff;

import gradcam3d.graph.GraphBuilder;

/**
 * What to differentiate, given by the caller: nodes appended after the model output that reduce
 * it to one scalar. autodiff knows nothing of classes, masks or seeds; the caller's head does.
 */
@FunctionalInterface
public interface ScalarHead {
  /**
   * Appends the head. {@code output} is the chosen model output (shape {@code outputShape},
   * known); returns the name of the scalar tensor whose gradient is computed.
   */
  String append(GraphBuilder b, String output, long[] outputShape);
}
