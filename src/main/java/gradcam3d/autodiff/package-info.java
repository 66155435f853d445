/**
 * Reverse-mode differentiation emitted as standard ONNX nodes: one gradient rule per op
 * ({@link gradcam3d.autodiff.VjpRules}, families *Rules named as graph's *Shapes), the backward sweep
 * ({@link gradcam3d.autodiff.Backprop}) and the gradient program of a chosen scalar with respect to chosen layers.
 */
package gradcam3d.autodiff;
