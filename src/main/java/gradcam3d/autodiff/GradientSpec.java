package gradcam3d.autodiff;

import java.util.List;
import java.util.Map;

/**
 * What to differentiate: the model's input shapes (fixed for one compiled program), the layers
 * (module paths, {@code module@k} elements or tensor names), which model output the head reads,
 * whether gradients are needed at all (perturbation methods only need the forward pass and
 * the activations), with which rules (guided backpropagation overrides the Relu family), and
 * whether the program starts at the layer ({@code fromLayer}: only the part of the model after the
 * layer's cut, fed the cut's boundary tensors, see {@link GradientProgram}). The scalar itself is
 * the caller's {@link ScalarHead}.
 */
public record GradientSpec(Map<String, long[]> inputShapes, List<String> layers, int modelOutput,
    boolean gradients, BackwardRules rules, boolean fromLayer) {
  /** Exact gradients. */
  public GradientSpec(Map<String, long[]> inputShapes, List<String> layers, int modelOutput, boolean gradients) {
    this(inputShapes, layers, modelOutput, gradients, BackwardRules.EXACT);
  }

  /** From the model input. */
  public GradientSpec(Map<String, long[]> inputShapes, List<String> layers, int modelOutput, boolean gradients,
      BackwardRules rules) {
    this(inputShapes, layers, modelOutput, gradients, rules, false);
  }

  public GradientSpec {
    inputShapes = Map.copyOf(inputShapes);
    layers = List.copyOf(layers);
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("at least one layer is needed");
    }
  }
}
