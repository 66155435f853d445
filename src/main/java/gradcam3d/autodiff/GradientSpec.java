package gradcam3d.autodiff;

import java.util.List;
import java.util.Map;

/**
 * What to differentiate: the model's input shapes (fixed for one compiled program), the layers
 * (module paths, {@code module@k} elements or tensor names), which model output the head reads,
 * and whether gradients are needed at all (perturbation methods only need the forward pass and
 * the activations). The scalar itself is the caller's {@link ScalarHead}.
 */
public record GradientSpec(Map<String, long[]> inputShapes, List<String> layers, int modelOutput,
    boolean gradients) {
  /** What a head sums: raw model outputs or their softmax (sigmoid for one channel). */
  public enum Score {
    LOGITS, PROBABILITIES
  }

  public GradientSpec {
    inputShapes = Map.copyOf(inputShapes);
    layers = List.copyOf(layers);
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("at least one layer is needed");
    }
  }
}
