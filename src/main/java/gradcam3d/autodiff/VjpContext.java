package gradcam3d.autodiff;

import gradcam3d.Gradcam3dException;
import gradcam3d.graph.Const;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.Node;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;

/** What a gradient rule sees of the node it differentiates, and where it puts its results. */
public final class VjpContext {
  private final GraphBuilder b;
  private Node node;
  private final String[] dys;
  private final boolean[] needs;
  private final String[] grads;

  VjpContext(GraphBuilder b, Node node, String[] dys, boolean[] needs) {
    this.b = b;
    this.node = node;
    this.dys = dys;
    this.needs = needs;
    this.grads = new String[node.inputs().size()];
  }

  public GraphBuilder b() {
    return b;
  }

  public Node node() {
    return node;
  }

  /** Name of input i. */
  public String x(int i) {
    return node.input(i);
  }

  /** Name of output i. */
  public String y(int i) {
    return node.output(i);
  }

  /** Gradient of output i, or null when no gradient reaches it. */
  public String dy(int i) {
    return i < dys.length ? dys[i] : null;
  }

  /** Gradient of output 0 (every single-output rule's input). */
  public String dy() {
    return dy(0);
  }

  /** Gradient of output i, zeros of its shape when nothing reaches it. */
  public String dyOrZeros(int i) {
    if (dy(i) != null) {
      return dy(i);
    }
    long[] s = shape(y(i));
    return b.expand(b.scalarLike(0, y(i)), s);
  }

  /** Whether input i needs a gradient. */
  public boolean needs(int i) {
    return i < needs.length && needs[i];
  }

  /** Records the gradient of input i (it must have the input's shape). */
  public void grad(int i, String g) {
    if (!needs(i)) {
      return;
    }
    long[] want = shape(x(i));
    long[] have = shape(g);
    if (!Arrays.equals(want, have)) {
      throw new IllegalStateException("gradient rule for " + node.describe() + " made shape "
          + Shapes.format(have) + " for input " + i + " of shape " + Shapes.format(want));
    }
    g = b.cast(g, b.type(x(i)));
    grads[i] = grads[i] == null ? g : b.add(grads[i], g);
  }

  String gradient(int i) {
    return grads[i];
  }

  /** The same node and needed inputs with other output gradients (for rules that wrap another rule). */
  VjpContext withOutputGradients(String[] outputGradients) {
    return new VjpContext(b, node, outputGradients, needs.clone());
  }

  /** Records every gradient this context holds in {@code c} (same node). */
  void copyGradientsTo(VjpContext c) {
    for (int i = 0; i < grads.length; i++) {
      if (needs(i) && grads[i] != null) {
        c.grad(i, grads[i]);
      }
    }
  }

  /**
   * The exact vector-Jacobian product of {@code node} (already in the graph) for output gradient
   * {@code dy}, with respect to its input {@code input} only: the transposed linear map of a
   * layer, as relevance rules use it.
   */
  static String exactInputGradient(GraphBuilder b, Node node, String dy, int input) {
    boolean[] needs = new boolean[node.inputs().size()];
    needs[input] = true;
    VjpContext c = new VjpContext(b, node, new String[] {dy}, needs);
    VjpRules.get(node.opType()).apply(c);
    return c.gradient(input);
  }

  public long[] shape(String tensor) {
    return b.shape(tensor);
  }

  public int rank(String tensor) {
    return b.rank(tensor);
  }

  /** Known value of a (small) tensor, or null. */
  public Const value(String tensor) {
    return tensor.isEmpty() ? null : b.info(tensor).value();
  }

  public int opset() {
    return b.opset();
  }

  /** Swaps the forward node for an equivalent one (e.g. MaxPool with its Indices output). */
  public void replaceForward(Node replacement) {
    b.replace(node, replacement);
    node = replacement;
  }

  public Gradcam3dException unsupported(String why) {
    return new Gradcam3dException("cannot differentiate " + node.describe() + ": " + why);
  }

  /** Fails unless every input that needs a gradient is one of {@code supported}. */
  public void requireOnly(int... supported) {
    for (int i = 0; i < needs.length; i++) {
      if (!needs[i]) {
        continue;
      }
      boolean ok = false;
      for (int s : supported) {
        ok |= s == i;
      }
      if (!ok) {
        throw unsupported("its input " + i + " ('" + x(i) + "') depends on the layer, and gradients "
            + "with respect to that input are not supported");
      }
    }
  }
}
