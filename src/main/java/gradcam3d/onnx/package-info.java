/**
 * Reading and writing ONNX models (with external data) and building their protobuf pieces (tensors,
 * attributes, data types); the generated schema classes are in {@code gradcam3d.onnx.proto}. The only
 * package that touches protobuf's own API.
 */
package gradcam3d.onnx;
