/** Exact rewrites of a graph into ops ONNX Runtime runs faster (polyphase ConvTranspose, scalar PRelu), applied to compiled programs. */
package gradcam3d.optimize;
