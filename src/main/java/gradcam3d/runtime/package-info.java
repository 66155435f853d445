/**
 * ONNX Runtime: sessions and their cache, the seeded target head, {@link gradcam3d.runtime.GradientEngine}
 * (a gradient program compiled per input shape and run), lanes of sessions side by side, the on-disk program
 * cache and the native libraries. The only package that touches ONNX Runtime's API.
 */
package gradcam3d.runtime;
