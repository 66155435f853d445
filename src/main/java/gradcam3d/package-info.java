/**
 * gradcam3d: Grad-CAM-family explanations of 2D and 3D ONNX networks, each computed as one ONNX graph
 * (the model, its reverse-mode gradient in standard ONNX ops and the method's arithmetic) run by ONNX
 * Runtime. This top-level package holds what every layer shares: the exception types, atomic and
 * checked file I/O, the cache folder, work on threads of its own; docs/architecture.md maps the rest.
 */
package gradcam3d;
