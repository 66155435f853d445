package gradcam3d.testing;

import gradcam3d.onnx.proto.Onnx.ModelProto;

/** Small edits of test models. */
public final class ModelEdits {
  private ModelEdits() {}

  /** The model with its first input's shape fixed (a model exported without dynamic axes). */
  public static ModelProto fixedInput(ModelProto m, long[] shape) {
    ModelProto.Builder b = m.toBuilder();
    var dims = b.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
    for (int i = 0; i < shape.length; i++) {
      dims.getDimBuilder(i).clear().setDimValue(shape[i]);
    }
    return b.build();
  }
}
