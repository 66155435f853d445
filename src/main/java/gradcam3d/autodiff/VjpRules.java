package gradcam3d.autodiff;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The table of gradient rules, one per ONNX op type, grouped in families ({@code PointwiseRules},
 * {@code NormRules}, ...) named as the shape-rule families in {@code graph} ({@code NormShapes}),
 * and the ops that carry no gradient.
 */
public final class VjpRules {
  private static final Map<String, VjpRule> TABLE;
  /** Op type -> the family class its rule is registered by. */
  private static final Map<String, Class<?>> FAMILY;

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
    Map<String, Class<?>> family = new HashMap<>();
    register(PointwiseRules.class, PointwiseRules::register, t, family);
    register(NormRules.class, NormRules::register, t, family);
    register(LinearRules.class, LinearRules::register, t, family);
    register(PoolReduceRules.class, PoolReduceRules::register, t, family);
    register(MovementRules.class, MovementRules::register, t, family);
    TABLE = Map.copyOf(t);
    FAMILY = Map.copyOf(family);
  }

  private static void register(Class<?> familyClass, Consumer<Map<String, VjpRule>> registrar,
      Map<String, VjpRule> table, Map<String, Class<?>> family) {
    Map<String, VjpRule> rules = new HashMap<>();
    registrar.accept(rules);
    rules.forEach((op, rule) -> {
      if (table.put(op, rule) != null) {
        throw new IllegalStateException("two gradient rules for " + op);
      }
      family.put(op, familyClass);
    });
  }

  private VjpRules() {}

  public static VjpRule get(String opType) {
    return TABLE.get(opType);
  }

  /** Every op type with a gradient rule (the shape-rule table must cover the same ops). */
  public static Set<String> supported() {
    return new TreeSet<>(TABLE.keySet());
  }

  /** Every op type with a gradient rule -> its family's name ("Norm" for {@code NormRules}). */
  public static Map<String, String> families() {
    Map<String, String> m = new TreeMap<>();
    FAMILY.forEach((op, c) -> m.put(op, c.getSimpleName().replaceFirst("Rules$", "")));
    return m;
  }
}
