package gradcam3d.autodiff;

import gradcam3d.Gradcam3dException;
import gradcam3d.OptionValueException;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.Node;
import gradcam3d.onnx.proto.Onnx.ValueInfoProto;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Layer-wise relevance propagation (Bach et al. 2015; zennit's composites) as a rule set of the
 * backward sweep: the relevance R is propagated like a gradient, with the rules of
 * {@link RelevanceRules} overriding the exact ones:
 * <ul>
 *   <li>Conv/ConvTranspose: the composite's rule (ZPlus, AlphaBeta(2,1) or Gamma); the first
 *       linear layer (see below) the composite's first-layer rule (Flat or ZBox(low, high));</li>
 *   <li>Gemm, and MatMul with a constant weight (with the constant Add after it as its bias):
 *       Epsilon;</li>
 *   <li>a BatchNormalization right after a Conv/ConvTranspose/Gemm (its only reader) is merged
 *       into it, as zennit's canonizer merges it: the layer's rule sees W * s, (b - mean) * s + beta
 *       with s = scale / sqrt(var + eps), and the BatchNormalization passes relevance on;</li>
 *   <li>activations (Relu, LeakyRelu, PRelu, Elu, Selu, Celu, Sigmoid, Tanh, Softplus, Softsign,
 *       HardSigmoid, HardSwish, Gelu, Mish, Clip) and any other BatchNormalization: Pass;</li>
 *   <li>AveragePool, GlobalAveragePool, and an Add/Sum of two or more tensors computed from the
 *       input (a residual sum, zennit's Sum): Norm, each input's share in proportion to it;</li>
 *   <li>InstanceNormalization/GroupNormalization/LayerNormalization: {@link NormRule};</li>
 *   <li>everything else (MaxPool, Resize, Concat, Slice, Reshape, Pad, products, ...): the exact
 *       gradient (the vector-Jacobian product of the relevance), as in zennit.</li>
 * </ul>
 * The first layer, in zennit the first of the composite's first-layer types in
 * {@code named_modules} order, is here: among the Conv/ConvTranspose (and for Flat also
 * Gemm/MatMul) nodes reached from the model input without passing another such node, the first in
 * graph order that is not a shortcut projection (a layer whose output only feeds an Add/Sum,
 * like MONAI ResidualUnit's residual conv, which PyTorch registers after the unit's main path).
 *
 * <p>The sweep starts at the model output from the target's seed (dT/d(output): the region at
 * the class channel, or one-hot for a classifier) or, with {@link Start#LOGITS}, the seed times
 * the logits (output relevance summing to T).
 *
 * @param low the ZBox rule's lowest input value; null: each sample's minimum of the first layer's input
 * @param high the highest; null: each sample's maximum
 */
public record LrpRules(Composite composite, double epsilon, double gamma, Double low, Double high, NormRule norm,
    Start start) implements BackwardRules {

  /** zennit's stabiliser of every rule but Epsilon: stab(z) = z + 1e-6 sign(z), sign(0) = 1. */
  static final double STABILIZER = 1e-6;

  /** A zennit composite: the rule of the convolutions and of the first layer. */
  public enum Composite {
    EPSILON_PLUS_FLAT(RelevanceRules.Kind.ZPLUS, RelevanceRules.Kind.FLAT),
    EPSILON_GAMMA_BOX(RelevanceRules.Kind.GAMMA, RelevanceRules.Kind.ZBOX),
    EPSILON_ALPHA2_BETA1_FLAT(RelevanceRules.Kind.ALPHA2_BETA1, RelevanceRules.Kind.FLAT),
    EPSILON_PLUS(RelevanceRules.Kind.ZPLUS, null),
    EPSILON_ALPHA2_BETA1(RelevanceRules.Kind.ALPHA2_BETA1, null);

    final RelevanceRules.Kind convolutions;
    final RelevanceRules.Kind first;

    Composite(RelevanceRules.Kind convolutions, RelevanceRules.Kind first) {
      this.convolutions = convolutions;
      this.first = first;
    }

    /** The command-line name, e.g. epsilon-plus-flat. */
    public String cliName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Composite parse(String s) {
      for (Composite c : values()) {
        if (c.cliName().equals(s.trim().toLowerCase(Locale.ROOT))) {
          return c;
        }
      }
      throw new Gradcam3dException("unknown LRP composite '" + s + "'; choose one of epsilon-plus-flat, "
          + "epsilon-gamma-box, epsilon-alpha2-beta1-flat, epsilon-plus, epsilon-alpha2-beta1");
    }

    /** Whether the composite gives the first layer a rule of its own. */
    public boolean hasFirstLayerRule() {
      return first != null;
    }

    /** Whether the first-layer rule is the box rule (which needs the input's range). */
    public boolean usesBox() {
      return first == RelevanceRules.Kind.ZBOX;
    }
  }

  /** InstanceNormalization/GroupNormalization/LayerNormalization. */
  public enum NormRule {
    /**
     * The normalisation is, for this input, the affine map y = a x + c per channel: its relevance
     * passes unchanged (as zennit passes it through an unmerged BatchNorm), so it is conserved.
     * With the TorchScript form of GroupNorm, the constant scale after it passes too.
     */
    IDENTITY,
    /**
     * The plain gradient (zennit, which has no rule for these modules): dX sums to zero over each
     * normalised group, so the relevance of each channel is sent to a zero sum.
     */
    GRADIENT
  }

  /** Where the relevance starts at the model output. */
  public enum Start {
    /** The target's seed: the region at the class channel (segmentation), one-hot (classification). */
    SEED,
    /** The seed times the logits: the output relevance sums to T. */
    LOGITS
  }

  public LrpRules {
    if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
      throw new OptionValueException("--lrp-epsilon must be a positive number, not " + epsilon);
    }
    if (!(gamma >= 0) || !Double.isFinite(gamma)) {
      throw new OptionValueException("--lrp-gamma must be 0 or more, not " + gamma);
    }
    if ((low == null) != (high == null)) {
      throw new OptionValueException("give both --lrp-low and --lrp-high, or neither (default: each sample's "
          + "minimum and maximum)");
    }
    if (low != null && !(low < high)) {
      throw new OptionValueException("--lrp-low must be below --lrp-high, not " + low + " >= " + high);
    }
  }

  /** zennit's defaults: epsilon 1e-6, gamma 0.25, the box from each sample's range, norms as identity, seed start. */
  public static LrpRules of(Composite composite) {
    return new LrpRules(composite, 1e-6, 0.25, null, null, NormRule.IDENTITY, Start.SEED);
  }

  @Override
  public String key() {
    return "lrp:" + composite + ";epsilon=" + epsilon + ";gamma=" + gamma + ";low=" + low + ";high=" + high
        + ";norm=" + norm + ";start=" + start;
  }

  @Override
  public Bound bind(GraphBuilder b) {
    return new Bound(this, b);
  }

  /** Activations: relevance passes unchanged (zennit's Pass). */
  static final Set<String> ACTIVATIONS = Set.of("Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Sigmoid",
      "Tanh", "Softplus", "Softsign", "HardSigmoid", "HardSwish", "Gelu", "Mish", "Clip", "ThresholdedRelu");

  private static final Set<String> NORMALISATIONS = Set.of("InstanceNormalization", "GroupNormalization",
      "LayerNormalization");

  /** The rule set for one program: which node gets which rule, found once from the model graph. */
  public static final class Bound implements BackwardRules.Bound {
    private final LrpRules rules;
    /** Tensors computed from a model input (everything else is a constant of the graph). */
    private final Set<String> dataDependent = new HashSet<>();
    /** Linear layers by node (node names may be empty or repeated). */
    private final Map<Node, RelevanceRules.Layer> layers = new IdentityHashMap<>();
    /** Nodes that pass relevance on unchanged besides the activations: merged BatchNorms, affine norm scales. */
    private final Set<Node> passing = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Node firstLayer;
    private final Map<String, Boolean> nonNegative = new HashMap<>();
    private final Map<String, Node> producers;

    Bound(LrpRules rules, GraphBuilder b) {
      this.rules = rules;
      List<Node> nodes = b.graph().nodes();
      Set<String> initializers = b.graph().initializers().keySet();
      for (ValueInfoProto v : b.graph().inputs()) {
        if (!initializers.contains(v.getName())) {
          dataDependent.add(v.getName());
        }
      }
      for (Node n : nodes) {
        if (n.inputs().stream().anyMatch(dataDependent::contains)) {
          n.outputs().stream().filter(o -> !o.isEmpty()).forEach(dataDependent::add);
        }
      }
      producers = b.graph().producers();
      Map<String, List<Node>> consumers = b.graph().consumers();
      Set<String> graphOutputs = new HashSet<>(b.graph().outputNames());
      for (Node n : nodes) {
        RelevanceRules.Layer l = RelevanceRules.Layer.of(b, n, dataDependent);
        if (l == null) {
          continue;
        }
        List<Node> readers = consumers.getOrDefault(n.output(0), List.of());
        boolean onlyReader = readers.size() == 1 && !graphOutputs.contains(n.output(0));
        if (onlyReader && readers.get(0).opType().equals("BatchNormalization") && !n.opType().equals("MatMul")) {
          RelevanceRules.Layer merged = l.mergedWith(b, readers.get(0));
          if (merged != null) {
            l = merged;
            passing.add(readers.get(0));
          }
        } else if (onlyReader && n.opType().equals("MatMul") && readers.get(0).opType().equals("Add")) {
          l = l.withBiasFrom(b, readers.get(0), dataDependent);
        }
        layers.put(n, l);
      }
      if (rules.norm == NormRule.IDENTITY) {
        for (Node n : nodes) {
          if (n.opType().equals("Mul") && scalesANormalisation(n)) {
            passing.add(n);
          }
        }
      }
      firstLayer = rules.composite.first == null ? null : firstLayer(b, nodes, consumers);
    }

    /** The node the first-layer rule applies to, or null. */
    public Node firstLayer() {
      return firstLayer;
    }

    /**
     * The first linear layer: reached from a model input without passing another linear layer,
     * not a shortcut projection (unless all are), first in graph order.
     */
    private Node firstLayer(GraphBuilder b, List<Node> nodes, Map<String, List<Node>> consumers) {
      boolean convolutionsOnly = rules.composite.first == RelevanceRules.Kind.ZBOX;
      Set<String> reached = new HashSet<>();
      Deque<String> todo = new ArrayDeque<>();
      for (ValueInfoProto v : b.graph().inputs()) {
        if (dataDependent.contains(v.getName())) {
          todo.add(v.getName());
          reached.add(v.getName());
        }
      }
      Set<Node> candidates = Collections.newSetFromMap(new IdentityHashMap<>());
      while (!todo.isEmpty()) {
        for (Node n : consumers.getOrDefault(todo.poll(), List.of())) {
          RelevanceRules.Layer l = layers.get(n);
          boolean eligible = l != null && (!convolutionsOnly || l.isConvolution());
          if (eligible) {
            candidates.add(n);
            continue;
          }
          for (String o : n.outputs()) {
            if (!o.isEmpty() && reached.add(o)) {
              todo.add(o);
            }
          }
        }
      }
      Node first = null;
      Node firstShortcut = null;
      for (Node n : nodes) {
        if (!candidates.contains(n)) {
          continue;
        }
        List<Node> readers = consumers.getOrDefault(layers.get(n).output(), List.of());
        boolean shortcut = !readers.isEmpty()
            && readers.stream().allMatch(r -> r.opType().equals("Add") || r.opType().equals("Sum"));
        if (!shortcut && first == null) {
          first = n;
        }
        if (shortcut && firstShortcut == null) {
          firstShortcut = n;
        }
      }
      return first != null ? first : firstShortcut;
    }

    /** A Mul by a constant of a normalisation's output (the scale of GroupNorm as TorchScript exports it). */
    private boolean scalesANormalisation(Node mul) {
      int data = -1;
      for (int i = 0; i < 2; i++) {
        if (dataDependent.contains(mul.input(i))) {
          if (data >= 0) {
            return false;
          }
          data = i;
        }
      }
      if (data < 0) {
        return false;
      }
      Node p = producers.get(mul.input(data));
      while (p != null && Set.of("Reshape", "Squeeze", "Unsqueeze", "Identity").contains(p.opType())) {
        p = producers.get(p.input(0));
      }
      return p != null && NORMALISATIONS.contains(p.opType());
    }

    /** Whether a tensor is known to be >= 0 everywhere (a ReLU output, and what only moves or pools it). */
    boolean nonNegative(String t) {
      Boolean known = nonNegative.get(t);
      if (known != null) {
        return known;
      }
      nonNegative.put(t, false);  // cycles cannot occur, but be safe
      Node p = producers.get(t);
      boolean r = false;
      if (p != null) {
        switch (p.opType()) {
          case "Relu", "Sigmoid", "Softmax" -> r = true;
          case "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Reshape", "Flatten", "Squeeze",
              "Unsqueeze", "Transpose", "Identity", "Slice", "Dropout" -> r = nonNegative(p.input(0));
          case "Resize", "Upsample" -> r = !p.attrString("mode", "nearest").equals("cubic") && nonNegative(p.input(0));
          case "Concat" -> r = p.inputs().stream().allMatch(this::nonNegative);
          default -> r = false;
        }
      }
      nonNegative.put(t, r);
      return r;
    }

    @Override
    public VjpRule rule(Node n) {
      RelevanceRules.Layer layer = layers.get(n);
      if (layer != null) {
        RelevanceRules.Kind kind = n == firstLayer ? rules.composite.first
            : layer.isConvolution() ? rules.composite.convolutions : RelevanceRules.Kind.EPSILON;
        return c -> RelevanceRules.linear(c, layer, kind, rules, this);
      }
      String op = n.opType();
      if (ACTIVATIONS.contains(op) || op.equals("BatchNormalization") || passing.contains(n)
          || NORMALISATIONS.contains(op) && rules.norm == NormRule.IDENTITY) {
        return RelevanceRules::pass;
      }
      if (op.equals("AveragePool") || op.equals("GlobalAveragePool")) {
        return RelevanceRules::pooled;
      }
      if ((op.equals("Add") || op.equals("Sum")) && n.inputs().stream().filter(dataDependent::contains).count() >= 2) {
        return RelevanceRules::summed;
      }
      return VjpRules.get(op);
    }

    @Override
    public boolean startsAtOutput() {
      return true;
    }

    @Override
    public String outputCotangent(GraphBuilder b, String output, String seed) {
      if (rules.start == Start.SEED) {
        return seed;
      }
      return b.mul(seed, b.cast(output, b.type(seed)));
    }

  }
}
