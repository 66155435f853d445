package gradcam3d.graph;

/**
 * How one ONNX op's output types, shapes and (for small shape tensors) values follow from its
 * inputs'. Registered per op type in {@link ShapeRules}, beside the op's gradient rule.
 */
@FunctionalInterface
interface ShapeRule {
  /** Output infos in output order; a null shape where a dimension count is unknown. */
  TensorInfo[] infer(ShapeContext c);
}
