package gradcam3d.autodiff;

import gradcam3d.graph.Const;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.Node;
import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.AttributeProto;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;

/**
 * The relevance rules of {@link LrpRules} (zennit 0.5.1's formulas, in standard ONNX ops). For a
 * linear layer y = f(x; W, b) with relevance R at y, x+ = max(x, 0), x- = min(x, 0), W+ / W- and
 * b+ / b- the positive / negative parts, f^T_W the layer's transposed map (its exact input
 * gradient with weights W) and stab(z) = z + e sign(z), sign(0) = 1 (e = 1e-6, or epsilon for the
 * Epsilon rule):
 * <ul>
 *   <li>Epsilon: R_x = x f^T_W(R / stab(f(x; W, b)));</li>
 *   <li>ZPlus: z = f(x+; W+, b+) + f(x-; W-, 0); R_x = x+ f^T_{W+}(R/stab(z)) + x- f^T_{W-}(R/stab(z));</li>
 *   <li>AlphaBeta(2, 1): zp = f(x+; W+, b+) + f(x-; W-, 0), zn = f(x+; W-, b-) + f(x-; W+, 0);
 *       R_x = 2 (x+ f^T_{W+}(R/stab(zp)) + x- f^T_{W-}(R/stab(zp))) - (x+ f^T_{W-}(R/stab(zn)) + x- f^T_{W+}(R/stab(zn)));</li>
 *   <li>Gamma(g): Wp = W + g W+, Wn = W + g W-; zp = f(x+; Wp, b + g b+) + f(x-; Wn, 0), zn = f(x+; Wn, b + g b-)
 *       + f(x-; Wp, 0); with sp = 1[y > 0] R/stab(zp), sn = 1[y < 0] R/stab(zn):
 *       R_x = x+ f^T_{Wp}(sp) + x- f^T_{Wn}(sp) + x+ f^T_{Wn}(sn) + x- f^T_{Wp}(sn);</li>
 *   <li>ZBox(l, h): z = f(x; W, b) - f(l; W+, b+) - f(h; W-, b-); R_x = x f^T_W(s) - l f^T_{W+}(s) - h f^T_{W-}(s),
 *       s = R/stab(z);</li>
 *   <li>Flat: z = f(1; 1, 0) (the count of in-image taps); R_x = f^T_1(R/stab(z));</li>
 *   <li>Norm (average pooling, a sum of inputs a_k): R_k = a_k f^T(R / stab(y));</li>
 *   <li>Pass: R_x = R.</li>
 * </ul>
 * Terms in x- are left out where x is known to be non-negative (a ReLU output): they are zero.
 */
final class RelevanceRules {
  private RelevanceRules() {}

  /** The rule of a linear layer. */
  enum Kind {
    EPSILON, ZPLUS, ALPHA2_BETA1, GAMMA, ZBOX, FLAT
  }

  /** Pass: the relevance goes to the data input unchanged. */
  static void pass(VjpContext c) {
    c.requireOnly(0);
    c.grad(0, c.dy());
  }

  /** Norm of average pooling: R_x = x f^T(R / stab(y)). */
  static void pooled(VjpContext c) {
    c.requireOnly(0);
    GraphBuilder b = c.b();
    String s = b.div(c.dy(), stab(b, c.y(0), LrpRules.STABILIZER));
    c.grad(0, b.mul(c.x(0), VjpContext.exactInputGradient(b, c.node(), s, 0)));
  }

  /** Norm of a sum of tensors (zennit's Sum): each addend's share R_k = a_k R / stab(sum). */
  static void summed(VjpContext c) {
    GraphBuilder b = c.b();
    String s = b.div(c.dy(), stab(b, c.y(0), LrpRules.STABILIZER));
    for (int k = 0; k < c.node().inputs().size(); k++) {
      if (c.needs(k)) {
        c.grad(k, b.unbroadcast(b.mul(c.x(k), s), c.shape(c.x(k))));
      }
    }
  }

  /** stab(z) = z + e sign(z), sign(0) = +1. */
  static String stab(GraphBuilder b, String z, double e) {
    String nonNegative = b.op("GreaterOrEqual", z, b.scalarLike(0, z));
    return b.add(z, b.where(nonNegative, b.scalarLike(e, z), b.scalarLike(-e, z)));
  }

  /** One of the layer's forward maps emitted with other inputs: its node (for f^T) and output. */
  record Applied(Node node, String output) {}

  /** The rule of a linear layer, for relevance c.dy() at its output. */
  static void linear(VjpContext c, Layer l, Kind kind, LrpRules p, LrpRules.Bound bound) {
    c.requireOnly(0);
    GraphBuilder b = c.b();
    String x = l.node.input(0);
    String r = c.dy();
    double e = LrpRules.STABILIZER;
    boolean noNegativeInput = bound.nonNegative(x);
    String xp = noNegativeInput ? x : b.op("Relu", x);
    String xn = noNegativeInput ? null : b.sub(x, xp);
    String rx;
    switch (kind) {
      case EPSILON -> {
        Applied y = l.forward(b);
        String s = b.div(r, stab(b, y.output(), p.epsilon()));
        rx = b.mul(x, transposed(b, y, s));
      }
      case ZPLUS -> {
        Applied pos = l.apply(b, xp, l.weight(b, Part.POSITIVE), l.bias(b, Part.POSITIVE));
        Applied neg = xn == null ? null : l.apply(b, xn, l.weight(b, Part.NEGATIVE), null);
        String s = b.div(r, stab(b, neg == null ? pos.output() : b.add(pos.output(), neg.output()), e));
        rx = b.mul(xp, transposed(b, pos, s));
        if (neg != null) {
          rx = b.add(rx, b.mul(xn, transposed(b, neg, s)));
        }
      }
      case ALPHA2_BETA1 -> {
        String wp = l.weight(b, Part.POSITIVE);
        String wn = l.weight(b, Part.NEGATIVE);
        Applied p1 = l.apply(b, xp, wp, l.bias(b, Part.POSITIVE));
        Applied n1 = l.apply(b, xp, wn, l.bias(b, Part.NEGATIVE));
        Applied p2 = xn == null ? null : l.apply(b, xn, wn, null);
        Applied n2 = xn == null ? null : l.apply(b, xn, wp, null);
        String sp = b.div(r, stab(b, p2 == null ? p1.output() : b.add(p1.output(), p2.output()), e));
        String sn = b.div(r, stab(b, n2 == null ? n1.output() : b.add(n1.output(), n2.output()), e));
        String alpha = b.mul(xp, transposed(b, p1, sp));
        String beta = b.mul(xp, transposed(b, n1, sn));
        if (xn != null) {
          alpha = b.add(alpha, b.mul(xn, transposed(b, p2, sp)));
          beta = b.add(beta, b.mul(xn, transposed(b, n2, sn)));
        }
        rx = b.sub(b.mul(alpha, b.scalarLike(2, alpha)), beta);
      }
      case GAMMA -> {
        double g = p.gamma();
        String wp = l.weight(b, Part.gammaPositive(g));
        String wn = l.weight(b, Part.gammaNegative(g));
        String y = l.forward(b).output();
        Applied p1 = l.apply(b, xp, wp, l.bias(b, Part.gammaPositive(g)));
        Applied n1 = l.apply(b, xp, wn, l.bias(b, Part.gammaNegative(g)));
        Applied p2 = xn == null ? null : l.apply(b, xn, wn, null);
        Applied n2 = xn == null ? null : l.apply(b, xn, wp, null);
        String zero = b.scalarLike(0, y);
        String up = b.cast(b.op("Greater", y, zero), b.type(r));
        String down = b.cast(b.op("Less", y, zero), b.type(r));
        String sp = b.mul(up, b.div(r, stab(b, p2 == null ? p1.output() : b.add(p1.output(), p2.output()), e)));
        String sn = b.mul(down, b.div(r, stab(b, n2 == null ? n1.output() : b.add(n1.output(), n2.output()), e)));
        rx = b.mul(xp, b.add(transposed(b, p1, sp), transposed(b, n1, sn)));
        if (xn != null) {
          rx = b.add(rx, b.mul(xn, b.add(transposed(b, p2, sp), transposed(b, n2, sn))));
        }
      }
      case ZBOX -> {
        String lo = boxBound(b, x, p.low(), "ReduceMin");
        String hi = boxBound(b, x, p.high(), "ReduceMax");
        Applied y = l.forward(b);
        Applied low = l.apply(b, lo, l.weight(b, Part.POSITIVE), l.bias(b, Part.POSITIVE));
        Applied high = l.apply(b, hi, l.weight(b, Part.NEGATIVE), l.bias(b, Part.NEGATIVE));
        String s = b.div(r, stab(b, b.sub(b.sub(y.output(), low.output()), high.output()), e));
        rx = b.sub(b.sub(b.mul(x, transposed(b, y, s)), b.mul(lo, transposed(b, low, s))),
            b.mul(hi, transposed(b, high, s)));
      }
      case FLAT -> {
        String ones = b.expand(b.scalarLike(1, x), c.shape(x));
        Applied count = l.apply(b, ones, l.weight(b, Part.ONES), null);
        rx = transposed(b, count, b.div(r, stab(b, count.output(), e)));
      }
      default -> throw new IllegalStateException(kind.toString());
    }
    c.grad(0, rx);
  }

  /** f^T of an applied map: its exact input gradient for output gradient s. */
  private static String transposed(GraphBuilder b, Applied a, String s) {
    return VjpContext.exactInputGradient(b, a.node(), s, 0);
  }

  /** The box's bound as a tensor of x's shape: the given value, else each sample's min or max of x. */
  private static String boxBound(GraphBuilder b, String x, Double value, String reduce) {
    long[] xs = b.shape(x);
    if (value != null) {
      return b.expand(b.scalarLike(value, x), xs);
    }
    return b.expand(b.reduce(reduce, x, GraphBuilder.range(1, xs.length), true), xs);
  }

  /** Which modification of a weight or bias a term uses. */
  record Part(String name, DoubleUnaryOperator f) {
    static final Part PLAIN = new Part("plain", v -> v);
    static final Part POSITIVE = new Part("positive", v -> Math.max(v, 0));
    static final Part NEGATIVE = new Part("negative", v -> Math.min(v, 0));
    static final Part ONES = new Part("ones", v -> 1);

    static Part gammaPositive(double g) {
      return new Part("gamma_positive", v -> v + g * Math.max(v, 0));
    }

    static Part gammaNegative(double g) {
      return new Part("gamma_negative", v -> v + g * Math.min(v, 0));
    }
  }

  /**
   * A linear layer as the rules see it: the Conv/ConvTranspose/Gemm/MatMul node, its weight and
   * bias as constants (merged with a BatchNormalization after it, or a MatMul's bias Add), and
   * the tensor its relevance arrives at (the merged node's output).
   */
  static final class Layer {
    final Node node;
    private final float[] weight;
    private final long[] weightShape;
    private final String weightName;
    private final float[] bias;
    private final String biasName;
    private final String output;
    private final boolean plain;

    private Layer(Node node, float[] weight, long[] weightShape, String weightName, float[] bias, String biasName,
        String output, boolean plain) {
      this.node = node;
      this.weight = weight;
      this.weightShape = weightShape;
      this.weightName = weightName;
      this.bias = bias;
      this.biasName = biasName;
      this.output = output;
      this.plain = plain;
    }

    /** The layer of a node, or null when it is not a linear layer with constant weights applied to data. */
    static Layer of(GraphBuilder b, Node n, Set<String> dataDependent) {
      String op = n.opType();
      if (!Set.of("Conv", "ConvTranspose", "Gemm", "MatMul").contains(op) || n.inputs().size() < 2
          || !dataDependent.contains(n.input(0)) || dataDependent.contains(n.input(1))) {
        return null;
      }
      if (op.equals("Gemm") && n.attrInt("transA", 0) != 0) {
        return null;
      }
      String biasName = n.inputs().size() > 2 && !n.input(2).isEmpty() ? n.input(2) : null;
      if (biasName != null && dataDependent.contains(biasName)) {
        return null;
      }
      float[] w = constant(b, n.input(1));
      if (w == null || op.equals("MatMul") && b.rank(n.input(1)) != 2) {
        return null;
      }
      float[] bias = biasName == null ? null : constant(b, biasName);
      if (biasName != null && bias == null) {
        return null;
      }
      return new Layer(n, w, b.shape(n.input(1)), n.input(1), bias, biasName, n.output(0), true);
    }

    boolean isConvolution() {
      return node.opType().startsWith("Conv");
    }

    String output() {
      return output;
    }

    /** Output channels and, per weight element, its output channel. */
    private int[] outputChannelOfWeights() {
      int[] oc = new int[weight.length];
      long[] ws = weightShape;
      switch (node.opType()) {
        case "Conv" -> {
          int per = weight.length / (int) ws[0];
          for (int i = 0; i < oc.length; i++) {
            oc[i] = i / per;
          }
        }
        case "ConvTranspose" -> {
          long group = node.attrInt("group", 1);
          long cin = ws[0];
          long coutG = ws[1];
          int k = (int) Shapes.numel(Arrays.copyOfRange(ws, 2, ws.length));
          for (int i = 0; i < oc.length; i++) {
            long in = i / (coutG * k);
            long j = (i / k) % coutG;
            oc[i] = (int) ((in / (cin / group)) * coutG + j);
          }
        }
        case "Gemm" -> {
          boolean transB = node.attrInt("transB", 0) != 0;
          for (int i = 0; i < oc.length; i++) {
            oc[i] = (int) (transB ? i / ws[1] : i % ws[1]);
          }
        }
        default -> throw new IllegalStateException(node.opType());
      }
      return oc;
    }

    private long outputChannels() {
      return switch (node.opType()) {
        case "Conv" -> weightShape[0];
        case "ConvTranspose" -> weightShape[1] * node.attrInt("group", 1);
        default -> node.attrInt("transB", 0) != 0 ? weightShape[0] : weightShape[1];
      };
    }

    /**
     * The layer with the inference BatchNormalization after it merged in (zennit's
     * SequentialMergeBatchNorm): W' = W s per output channel, b' = (b - mean) s + beta, s = scale /
     * sqrt(var + eps); null when its parameters are not constants.
     */
    Layer mergedWith(GraphBuilder b, Node bn) {
      if (bn.attrInt("training_mode", 0) != 0 || bn.inputs().size() < 5) {
        return null;
      }
      float[] scale = constant(b, bn.input(1));
      float[] beta = constant(b, bn.input(2));
      float[] mean = constant(b, bn.input(3));
      float[] var = constant(b, bn.input(4));
      long channels = outputChannels();
      if (scale == null || beta == null || mean == null || var == null || scale.length != channels
          || beta.length != channels || mean.length != channels || var.length != channels) {
        return null;
      }
      double gemmBeta = node.opType().equals("Gemm") ? node.attrFloat("beta", 1f) : 1;
      if (bias != null && bias.length != channels || gemmBeta == 0) {
        return null;
      }
      float eps = bn.attrFloat("epsilon", 1e-5f);
      double[] s = new double[(int) channels];
      for (int o = 0; o < channels; o++) {
        s[o] = scale[o] / Math.sqrt((double) var[o] + eps);
      }
      int[] oc = outputChannelOfWeights();
      float[] w = new float[weight.length];
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) (weight[i] * s[oc[i]]);
      }
      float[] bb = new float[(int) channels];
      for (int o = 0; o < channels; o++) {
        double b0 = bias == null ? 0 : gemmBeta * bias[o];
        // Gemm adds beta * C: C' = (s (beta C - mean) + beta_bn) / beta
        bb[o] = (float) (((b0 - mean[o]) * s[o] + beta[o]) / gemmBeta);
      }
      return new Layer(node, w, weightShape, null, bb, null, bn.output(0), false);
    }

    /** A MatMul whose only reader adds a constant: that constant is its bias. */
    Layer withBiasFrom(GraphBuilder b, Node add, Set<String> dataDependent) {
      String other = add.input(0).equals(node.output(0)) ? add.input(1) : add.input(0);
      if (dataDependent.contains(other)) {
        return this;
      }
      float[] c = constant(b, other);
      long n = weightShape[1];
      if (c == null || c.length != n) {
        return this;
      }
      return new Layer(node, weight, weightShape, weightName, c, other, add.output(0), false);
    }

    /** f(x; W, b) as the rules see it: the node's own output unless merged. */
    Applied forward(GraphBuilder b) {
      if (plain) {
        return new Applied(node, node.output(0));
      }
      return apply(b, node.input(0), weight(b, Part.PLAIN), bias(b, Part.PLAIN));
    }

    /** The weight, modified. */
    String weight(GraphBuilder b, Part part) {
      if (part == Part.PLAIN && weightName != null) {
        return weightName;
      }
      float[] w = new float[weight.length];
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) part.f().applyAsDouble(weight[i]);
      }
      return b.initializer(TensorProtos.ofFloats(b.fresh("lrp_weight_" + part.name()), w, weightShape));
    }

    /** The bias, modified, or null without one. */
    String bias(GraphBuilder b, Part part) {
      if (bias == null || part == Part.ONES) {
        return null;
      }
      if (part == Part.PLAIN && biasName != null) {
        return biasName;
      }
      float[] v = new float[bias.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) part.f().applyAsDouble(bias[i]);
      }
      return b.initializer(TensorProtos.ofFloats(b.fresh("lrp_bias_" + part.name()), v, v.length));
    }

    /** The layer's map applied to another input with other weights and bias (null: none). */
    Applied apply(GraphBuilder b, String x, String w, String bias) {
      AttributeProto[] attrs = node.attributes().values().toArray(new AttributeProto[0]);
      boolean matmul = node.opType().equals("MatMul");
      List<String> in = new ArrayList<>(List.of(x, w));
      if (bias != null && !matmul) {
        in.add(bias);
      }
      String y = b.op(node.opType(), in, attrs);
      List<Node> nodes = b.graph().nodes();
      Node made = nodes.get(nodes.size() - 1);
      return new Applied(made, bias != null && matmul ? b.add(y, bias) : y);
    }

    /** A constant float tensor's values (an initializer or a folded constant), or null. */
    static float[] constant(GraphBuilder b, String t) {
      TensorProto init = b.graph().initializers().get(t);
      if (init != null) {
        return init.getDataType() == DataTypes.FLOAT || DataTypes.isFloating(init.getDataType())
            ? TensorProtos.toFloats(init) : null;
      }
      Const v = b.infos().containsKey(t) ? b.info(t).value() : null;
      if (v == null || !v.isFloating()) {
        return null;
      }
      double[] d = v.reals();
      float[] f = new float[d.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) d[i];
      }
      return f;
    }
  }
}
