package gradcam3d.autodiff;

import gradcam3d.graph.LayerSpec;
import java.util.List;

/**
 * What to differentiate, whatever the input shapes (each compiled program fixes its own): the
 * layers, which model output the head reads, whether gradients are needed at all (perturbation
 * methods only need the forward pass and the activations), with which rules (guided
 * backpropagation overrides the Relu family), and whether the program starts at the layer
 * ({@code fromLayer}: only the part of the model after the layer's cut, fed the cut's boundary
 * tensors, see {@link GradientProgram}). The scalar itself is the caller's {@link ScalarHead}.
 */
public record GradientSpec(List<LayerSpec> layers, int modelOutput, boolean gradients, BackwardRules rules,
    boolean fromLayer) {
  public GradientSpec {
    layers = List.copyOf(layers);
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("at least one layer is needed");
    }
  }

  /** Exact gradients at {@code layers} of model output 0, from the model input. */
  public static GradientSpec at(List<LayerSpec> layers) {
    return new GradientSpec(layers, 0, true, BackwardRules.EXACT, false);
  }
}
