package gradcam3d.cam;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;

/**
 * Inputs at which an input-space method takes the gradient for one sample, and the weight of each
 * gradient in the sum: points [N, C, *S], weights [N].
 *
 * @param points the inputs, run through the compiled program in batches
 * @param weights the gradient at point k counts weights[k] times
 * @param baseline for a path integral, the start (points[0] must equal it), else null
 */
public record GradientPath(FloatTensor points, double[] weights, FloatTensor baseline) {
  public GradientPath {
    if (points.dim(0) != weights.length) {
      throw new Gradcam3dException("a gradient path has " + points.dim(0) + " points but " + weights.length + " weights");
    }
  }

  public int size() {
    return weights.length;
  }
}
