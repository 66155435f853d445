package gradcam3d.autodiff;

/**
 * The vector-Jacobian product of one ONNX op: given the gradients of the node's outputs
 * ({@link VjpContext#dy}), emit standard ONNX nodes computing the gradient of every input that
 * needs one ({@link VjpContext#grad}).
 */
@FunctionalInterface
public interface VjpRule {
  void apply(VjpContext c);
}
