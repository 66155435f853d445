package gradcam3d.graph;

import gradcam3d.onnx.DataTypes;
import java.util.List;
import java.util.Map;

/** Shapes of elementwise ops. */
final class PointwiseShapes {
  private PointwiseShapes() {}

  static void register(Map<String, ShapeRule> t) {
    for (String op : List.of("Identity", "Relu", "LeakyRelu", "Elu", "Selu", "Sigmoid", "Tanh",
        "Softplus", "Softsign", "Gelu", "Erf", "HardSigmoid", "HardSwish", "Sqrt", "Exp", "Log", "Neg",
        "Reciprocal", "Abs", "Softmax", "LogSoftmax", "Floor", "Ceil", "Round", "Sign", "Sin", "Cos",
        "Mish", "Celu", "ThresholdedRelu", "Shrink", "Clip", "PRelu", "Not", "Hardmax", "Tan", "Asin",
        "Acos", "Atan", "Sinh", "Cosh")) {
      t.put(op, PointwiseShapes::unary);
    }
    for (String op : List.of("EyeLike", "Bernoulli")) {
      t.put(op, ShapeContext::likeInput);
    }
    for (String op : List.of("RandomNormalLike", "RandomUniformLike")) {
      t.put(op, c -> c.one((int) c.node().attrInt("dtype", c.type(0)), c.shape(0)));
    }
    t.put("Dropout", c -> new TensorInfo[] {
        TensorInfo.of(c.type(0), c.shape(0)), TensorInfo.of(DataTypes.BOOL, c.shape(0))});
    t.put("IsNaN", c -> c.one(DataTypes.BOOL, c.shape(0)));
    t.put("IsInf", c -> c.one(DataTypes.BOOL, c.shape(0)));
    for (String op : List.of("Add", "Sub", "Mul", "Div", "Pow", "Mod", "Max", "Min", "Sum", "Mean",
        "BitShift", "BitwiseAnd", "BitwiseOr")) {
      t.put(op, c -> binary(c, c.type(0)));
    }
    for (String op : List.of("Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor")) {
      t.put(op, c -> binary(c, DataTypes.BOOL));
    }
    t.put("Where", PointwiseShapes::where);
    t.put("Cast", c -> cast(c, (int) c.node().attrInt("to", DataTypes.FLOAT)));
    t.put("CastLike", c -> cast(c, c.type(1)));
  }

  /** Elementwise with one data input; evaluated when the input and any parameters are known. */
  static TensorInfo[] unary(ShapeContext c) {
    Const v = c.value(0);
    if (v != null && c.allConst()) {
      Const r = ConstEval.unary(c.node(), v);
      if (r != null) {
        return c.one(r);
      }
    }
    return c.likeInput();
  }

  private static TensorInfo[] binary(ShapeContext c, int outType) {
    long[] s = ShapeInference.broadcast(c.shapes());
    if (c.allConst()) {
      Const r = ConstEval.nary(c.node().opType(), c.values(), s, outType);
      if (r != null) {
        return c.one(r);
      }
    }
    return c.one(outType, s);
  }

  private static TensorInfo[] where(ShapeContext c) {
    long[] s = ShapeInference.broadcast(c.shape(0), c.shape(1), c.shape(2));
    if (c.allConst() && s != null) {
      Const r = ConstEval.where(c.value(0), c.value(1), c.value(2), s);
      if (r != null) {
        return c.one(r);
      }
    }
    return c.one(c.type(1), s);
  }

  private static TensorInfo[] cast(ShapeContext c, int to) {
    Const v = c.value(0);
    return v != null ? c.one(v.cast(to)) : c.one(to, c.shape(0));
  }
}
