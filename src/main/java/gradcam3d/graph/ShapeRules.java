package gradcam3d.graph;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The table of shape rules, one per ONNX op type (default domain), grouped in families
 * ({@code PointwiseShapes}, {@code NormShapes}, ...). An op is added here and in the gradient table
 * {@code autodiff.VjpRules} side by side, in the family of the same name there ({@code NormShapes}
 * beside {@code NormRules}); ShapeRulesTest checks both list the same ops in matching families.
 */
public final class ShapeRules {
  private static final Map<String, ShapeRule> TABLE;
  /** Op type -> the family class its rule is registered by. */
  private static final Map<String, Class<?>> FAMILY;

  static {
    Map<String, ShapeRule> t = new HashMap<>();
    Map<String, Class<?>> family = new HashMap<>();
    register(PointwiseShapes.class, PointwiseShapes::register, t, family);
    register(NormShapes.class, NormShapes::register, t, family);
    register(LinearShapes.class, LinearShapes::register, t, family);
    register(PoolReduceShapes.class, PoolReduceShapes::register, t, family);
    register(MovementShapes.class, MovementShapes::register, t, family);
    register(ShapeComputationShapes.class, ShapeComputationShapes::register, t, family);
    TABLE = Map.copyOf(t);
    FAMILY = Map.copyOf(family);
  }

  private static void register(Class<?> familyClass, Consumer<Map<String, ShapeRule>> registrar,
      Map<String, ShapeRule> table, Map<String, Class<?>> family) {
    Map<String, ShapeRule> rules = new HashMap<>();
    registrar.accept(rules);
    rules.forEach((op, rule) -> {
      if (table.put(op, rule) != null) {
        throw new IllegalStateException("two shape rules for " + op);
      }
      family.put(op, familyClass);
    });
  }

  private ShapeRules() {}

  static ShapeRule get(String opType) {
    return TABLE.get(opType);
  }

  /** Whether inference knows how op type {@code opType} shapes its outputs. */
  public static boolean covers(Node n) {
    return isDefaultDomain(n) && TABLE.containsKey(n.opType());
  }

  /** Every op type with a shape rule. */
  public static Set<String> covered() {
    return new TreeSet<>(TABLE.keySet());
  }

  /** Every op type with a shape rule -> its family's name ("Norm" for {@code NormShapes}). */
  public static Map<String, String> families() {
    Map<String, String> m = new TreeMap<>();
    FAMILY.forEach((op, c) -> m.put(op, c.getSimpleName().replaceFirst("Shapes$", "")));
    return m;
  }

  static boolean isDefaultDomain(Node n) {
    return n.domain().isEmpty() || n.domain().equals("ai.onnx");
  }
}
