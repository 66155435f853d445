package gradcam3d.autodiff;

import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.Node;
import java.util.Set;

/**
 * Which gradient rules a backward sweep uses: the exact ones ({@link VjpRules}, one per op), or a
 * set that overrides some of them, the way modified-gradient methods are defined: guided
 * backpropagation overrides the Relu family ({@link #GUIDED}), layer-wise relevance propagation
 * overrides the linear layers, activations, pooling and additions ({@link LrpRules}).
 *
 * <p>A rule set is bound to one program's model graph before its sweep ({@link #bind}), so an
 * override may depend on where a node sits (LRP's first layer, a BatchNormalization merged into
 * the convolution before it). {@link #key} names the rule set in program cache keys.
 */
public interface BackwardRules {
  /** The exact rules of every op. */
  BackwardRules EXACT = new Fixed("EXACT", false);

  /**
   * Guided backpropagation (Springenberg et al. 2015, as Captum's GuidedBackprop applies it to
   * ReLU modules): the exact rule applied to ReLU(dY). For Relu: dX = ReLU(dY) * [X > 0], so only
   * positive gradients pass, and only where the forward input is positive. For LeakyRelu and PRelu
   * (slope a): dX = ReLU(dY) * (X > 0 ? 1 : a), i.e. positive gradients pass on both sides, scaled
   * by the slope on the negative side. Every other op is exact.
   */
  BackwardRules GUIDED = new Fixed("GUIDED", true);

  /**
   * The rules for one program. {@code b} holds the specialised model graph (the whole model,
   * before a program from the layer is cut down to the part after the layer) and its head.
   */
  Bound bind(GraphBuilder b);

  /** What the rule set is, with its parameters, for program cache keys. */
  String key();

  /** A rule set bound to one program's graph. */
  interface Bound {
    /** The rule for a node of the graph (or a node added to it), or null when there is none. */
    VjpRule rule(Node n);

    /**
     * Whether the model's part of the sweep starts from {@link #outputCotangent} at the model output
     * (the head differentiated exactly first) rather than from T through head and model in one sweep.
     */
    default boolean startsAtOutput() {
      return false;
    }

    /** The cotangent the model's part starts from, given {@code seed} = dT/d(output) from the head. */
    default String outputCotangent(GraphBuilder b, String output, String seed) {
      return seed;
    }
  }

  /** The exact and the guided rule sets: the same rule for every node of an op type. */
  final class Fixed implements BackwardRules, Bound {
    private static final Set<String> GUIDED_OPS = Set.of("Relu", "LeakyRelu", "PRelu");

    private final String name;
    private final boolean guided;

    private Fixed(String name, boolean guided) {
      this.name = name;
      this.guided = guided;
    }

    @Override
    public Bound bind(GraphBuilder b) {
      return this;
    }

    @Override
    public String key() {
      return name;
    }

    @Override
    public String toString() {
      return name;
    }

    @Override
    public VjpRule rule(Node n) {
      VjpRule exact = VjpRules.get(n.opType());
      if (!guided || exact == null || !GUIDED_OPS.contains(n.opType())) {
        return exact;
      }
      return c -> {
        String[] positive = {c.b().op("Relu", c.dy())};
        VjpContext inner = c.withOutputGradients(positive);
        exact.apply(inner);
        inner.copyGradientsTo(c);
      };
    }
  }
}
