package gradcam3d.autodiff;

import gradcam3d.Gradcam3dException;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.Node;
import gradcam3d.onnx.DataTypes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode differentiation of a scalar tensor with respect to chosen tensors, emitted as
 * standard ONNX nodes into the same graph. Only nodes on a path from a chosen tensor to the
 * target are differentiated; gradients reaching a tensor along several paths are summed.
 */
public final class Backprop {
  private Backprop() {}

  /**
   * Emits d target / d wrt for every wrt tensor; {@code seed} is the gradient of {@code target}
   * itself (usually ones of its shape). Returns wrt name -> gradient tensor name.
   */
  public static Map<String, String> gradients(GraphBuilder b, String target, String seed, List<String> wrt) {
    return gradients(b, target, seed, wrt, BackwardRules.EXACT);
  }

  /** As above, with the given rule set (guided backpropagation overrides the Relu family). */
  public static Map<String, String> gradients(GraphBuilder b, String target, String seed, List<String> wrt,
      BackwardRules rules) {
    return gradients(b, target, seed, wrt, rules.bind(b));
  }

  /** As above, with a rule set already bound to the program's graph. */
  public static Map<String, String> gradients(GraphBuilder b, String target, String seed, List<String> wrt,
      BackwardRules.Bound rules) {
    return sweep(b, target, seed, wrt, rules, true);
  }

  /**
   * The vector-Jacobian product of any tensor: sum over {@code output}'s elements of
   * cotangent * d output / d wrt, by exact rules. The cotangent is a tensor of {@code output}'s shape
   * that is held fixed (it is not differentiated, even when it is computed from {@code wrt}).
   * Zeros when {@code output} does not depend on {@code wrt} differentiably.
   *
   * <p>Applied to a gradient graph, this differentiates it a second time: with output = dT/dA and
   * cotangent = V it gives the Hessian-vector product H V (PyTorch: {@code
   * torch.autograd.grad(G, A, grad_outputs=V)} with G made with create_graph), which needs a rule
   * for every op the first sweep emitted.
   */
  public static String vjp(GraphBuilder b, String output, String cotangent, String wrt) {
    String g = sweep(b, output, cotangent, List.of(wrt), BackwardRules.EXACT.bind(b), false).get(wrt);
    return g != null ? g : b.expand(b.scalarLike(0, wrt), b.shape(wrt));
  }

  private static Map<String, String> sweep(GraphBuilder b, String target, String seed, List<String> wrt,
      BackwardRules.Bound rules, boolean requirePath) {
    List<Node> forward = new ArrayList<>(b.graph().nodes());
    // 1. tensors that depend (differentiably) on a chosen tensor
    Set<String> active = new HashSet<>(wrt);
    for (Node n : forward) {
      if (VjpRules.NON_DIFFERENTIABLE.contains(n.opType())) {
        continue;
      }
      boolean any = false;
      for (String in : n.inputs()) {
        any |= active.contains(in);
      }
      if (any) {
        for (String out : n.outputs()) {
          if (!out.isEmpty() && DataTypes.isFloating(b.type(out))) {
            active.add(out);
          }
        }
      }
    }
    // 2. of those, the ones the target depends on
    Set<String> needed = new HashSet<>();
    needed.add(target);
    List<Node> path = new ArrayList<>();
    for (int i = forward.size() - 1; i >= 0; i--) {
      Node n = forward.get(i);
      boolean feeds = false;
      for (String out : n.outputs()) {
        feeds |= needed.contains(out) && active.contains(out);
      }
      if (!feeds || VjpRules.NON_DIFFERENTIABLE.contains(n.opType())) {
        continue;
      }
      path.add(n);
      for (String in : n.inputs()) {
        if (active.contains(in)) {
          needed.add(in);
        }
      }
    }
    for (String w : wrt) {
      if (requirePath && !needed.contains(w)) {
        throw new Gradcam3dException("layer tensor '" + w + "' has no path to the chosen model output "
            + "(the target does not depend on it)");
      }
    }
    for (Node n : path) {
      if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx") || rules.rule(n) == null) {
        throw new Gradcam3dException("cannot compute gradients through " + n.describe()
            + (n.domain().isEmpty() ? "" : " (domain " + n.domain() + ")")
            + ": gradcam3d has no gradient rule for op type " + n.opType()
            + (VjpRules.FORWARD_ONLY.contains(n.opType()) ? " (it can only come before the layer)" : ""));
      }
    }
    // 3. reverse sweep
    Map<String, List<String>> contributions = new LinkedHashMap<>();
    contributions.computeIfAbsent(target, k -> new ArrayList<>()).add(seed);
    Map<String, String> summed = new HashMap<>();
    for (Node n : path) {
      String[] dys = new String[n.outputs().size()];
      boolean any = false;
      for (int k = 0; k < dys.length; k++) {
        dys[k] = total(b, n.output(k), contributions, summed);
        any |= dys[k] != null;
      }
      if (!any) {
        continue;
      }
      boolean[] needs = new boolean[n.inputs().size()];
      for (int k = 0; k < needs.length; k++) {
        needs[k] = needed.contains(n.input(k)) && active.contains(n.input(k));
      }
      VjpContext ctx = new VjpContext(b, n, dys, needs);
      rules.rule(n).apply(ctx);
      for (int k = 0; k < needs.length; k++) {
        if (!needs[k]) {
          continue;
        }
        String g = ctx.gradient(k);
        if (g == null) {
          throw new IllegalStateException("rule for " + n.describe() + " gave no gradient for input " + k);
        }
        contributions.computeIfAbsent(n.input(k), x -> new ArrayList<>()).add(g);
      }
    }
    Map<String, String> result = new LinkedHashMap<>();
    for (String w : wrt) {
      result.put(w, total(b, w, contributions, summed));
    }
    return result;
  }

  private static String total(GraphBuilder b, String tensor, Map<String, List<String>> contributions,
      Map<String, String> summed) {
    String done = summed.get(tensor);
    if (done != null) {
      return done;
    }
    List<String> parts = contributions.get(tensor);
    if (parts == null || parts.isEmpty()) {
      return null;
    }
    String s = b.sum(parts);
    summed.put(tensor, s);
    return s;
  }
}
