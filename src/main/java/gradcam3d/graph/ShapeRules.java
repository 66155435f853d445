package gradcam3d.graph;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The table of shape rules, one per ONNX op type (default domain). An op is added here and in
 * the gradient table {@code autodiff.VjpRules} side by side; a test checks both list the same ops.
 */
public final class ShapeRules {
  private static final Map<String, ShapeRule> TABLE;

  static {
    Map<String, ShapeRule> t = new HashMap<>();
    PointwiseShapes.register(t);
    LinearShapes.register(t);
    PoolReduceShapes.register(t);
    MovementShapes.register(t);
    ShapeComputationShapes.register(t);
    TABLE = Map.copyOf(t);
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

  static boolean isDefaultDomain(Node n) {
    return n.domain().isEmpty() || n.domain().equals("ai.onnx");
  }
}
