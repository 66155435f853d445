package gradcam3d.autodiff;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The table of gradient rules, one per ONNX op type, and the ops that carry no gradient. */
public final class VjpRules {
  private static final Map<String, VjpRule> TABLE;

  /** Ops whose outputs do not depend differentiably on their inputs (zero or no gradient). */
  public static final Set<String> NON_DIFFERENTIABLE = Set.of(
      "Shape", "Size", "ConstantOfShape", "Range", "Equal", "Less", "Greater", "LessOrEqual",
      "GreaterOrEqual", "Not", "And", "Or", "Xor", "ArgMax", "ArgMin", "NonZero", "Floor", "Ceil",
      "Round", "Sign", "IsNaN", "IsInf", "OneHot", "Hardmax", "EyeLike", "RandomNormalLike",
      "RandomUniformLike", "Bernoulli", "BitShift", "BitwiseAnd", "BitwiseOr");

  /**
   * Differentiable ops that shape inference handles but that have no gradient rule yet: a model
   * may use them anywhere except between the explained layer and the output.
   */
  public static final Set<String> FORWARD_ONLY = Set.of(
      "LpNormalization", "LRN", "MeanVarianceNormalization", "Tan", "Asin", "Acos", "Atan", "Sinh",
      "Cosh", "ThresholdedRelu", "Shrink", "Scatter", "ReduceProd", "LpPool",
      "GlobalLpPool", "Mod", "CumSum");

  static {
    Map<String, VjpRule> t = new HashMap<>();
    PointwiseRules.register(t);
    LinearRules.register(t);
    NormRules.register(t);
    PoolReduceRules.register(t);
    MovementRules.register(t);
    TABLE = Map.copyOf(t);
  }

  private VjpRules() {}

  public static VjpRule get(String opType) {
    return TABLE.get(opType);
  }

  /** Every op type with a gradient rule (the shape-rule table must cover the same ops). */
  public static Set<String> supported() {
    return new TreeSet<>(TABLE.keySet());
  }
}
