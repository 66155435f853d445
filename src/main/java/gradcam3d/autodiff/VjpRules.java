package gradcam3d.autodiff;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The table of gradient rules, one per ONNX op type, and the ops that carry no gradient. */
public final class VjpRules {
  private static final Map<String, VjpRule> TABLE;

  /** Ops whose outputs do not depend differentiably on their inputs (zero or no gradient). */
  public static final Set<String> NON_DIFFERENTIABLE = Set.of(
      "Shape", "Size", "ConstantOfShape", "Range", "Equal", "Less", "Greater", "LessOrEqual",
      "GreaterOrEqual", "Not", "And", "Or", "Xor", "ArgMax", "ArgMin", "NonZero", "Floor", "Ceil",
      "Round", "Sign", "IsNaN", "IsInf", "OneHot", "Hardmax", "EyeLike", "RandomNormalLike",
      "RandomUniformLike", "Bernoulli");

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
}
