package gradcam3d.graph;

import gradcam3d.onnx.DataTypes;
import java.util.List;
import java.util.Map;

/** Shapes of normalisations: the output is shaped like the input (LayerNormalization adds its statistics). */
final class NormShapes {
  private NormShapes() {}

  static void register(Map<String, ShapeRule> t) {
    for (String op : List.of("BatchNormalization", "GroupNormalization", "InstanceNormalization",
        "LpNormalization", "LRN", "MeanVarianceNormalization")) {
      t.put(op, ShapeContext::likeInput);
    }
    t.put("LayerNormalization", NormShapes::layerNorm);
  }

  private static TensorInfo[] layerNorm(ShapeContext c) {
    long[] s = c.shape(0);
    TensorInfo y = TensorInfo.of(c.type(0), s);
    if (s == null) {
      return new TensorInfo[] {y, TensorInfo.of(DataTypes.FLOAT, null), TensorInfo.of(DataTypes.FLOAT, null)};
    }
    int ax = ShapeInference.axis(c.node().attrInt("axis", -1), s.length);
    long[] stat = s.clone();
    for (int i = ax; i < s.length; i++) {
      stat[i] = 1;
    }
    int st = (int) c.node().attrInt("stash_type", DataTypes.FLOAT);
    return new TensorInfo[] {y, TensorInfo.of(st, stat), TensorInfo.of(st, stat)};
  }
}
