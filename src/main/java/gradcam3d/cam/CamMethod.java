package gradcam3d.cam;

/**
 * A member of the Grad-CAM family: how a layer's activation A [B, C, *S] (and gradient G) become
 * a map at layer resolution, cam_layer [B, *S], before ReLU and normalisation. A method is one of
 * three kinds, by where its arithmetic runs.
 */
public sealed interface CamMethod permits CamMethod.InGraph, CamMethod.OnHost, CamMethod.Perturbation {
  /** The command-line name, e.g. "gradcam++". */
  String name();

  /** Whether the method reads dT/dA (so the backward graph is needed). */
  boolean usesGradients();

  /** Arithmetic appended to the compiled graph: ONNX Runtime computes the map. */
  non-sealed interface InGraph extends CamMethod {
    String camLayer(CamGraph g, String activation, String gradient);

    @Override
    default boolean usesGradients() {
      return true;
    }
  }

  /** Computed in Java from A and G (the eigen methods need a small eigen-decomposition). */
  non-sealed interface OnHost extends CamMethod {
    gradcam3d.tensor.FloatTensor camLayer(gradcam3d.tensor.FloatTensor activation,
        gradcam3d.tensor.FloatTensor gradient);
  }

  /** Channel weights [B][C] from extra forward passes with the input or the layer perturbed. */
  sealed interface Perturbation extends CamMethod permits Perturbation.OfInput, Perturbation.OfLayer {
    float[][] channelWeights(Perturber perturber, int layer);

    @Override
    default boolean usesGradients() {
      return false;
    }

    /** Perturbs the model input (Score-CAM): whole forward passes. */
    non-sealed interface OfInput extends Perturbation {}

    /**
     * Perturbs the layer itself (Ablation-CAM): only the network after the layer runs again, fed
     * the tensors that cross the cut from the unperturbed pass.
     */
    non-sealed interface OfLayer extends Perturbation {}
  }
}
