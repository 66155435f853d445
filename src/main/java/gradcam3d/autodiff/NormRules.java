package gradcam3d.autodiff;

import gradcam3d.graph.GraphBuilder;
import java.util.Map;

/**
 * Normalisations. With x̂ = (x - mean)/sigma over a reduction set R and g = dY * gamma:
 * dX = (1/sigma) (g - mean_R(g) - x̂ mean_R(g x̂)). BatchNormalization at inference is an affine
 * map per channel.
 */
final class NormRules {
  private NormRules() {}

  static void register(Map<String, VjpRule> t) {
    t.put("BatchNormalization", NormRules::batchNorm);
    t.put("InstanceNormalization", NormRules::instanceNorm);
    t.put("GroupNormalization", NormRules::groupNorm);
    t.put("LayerNormalization", NormRules::layerNorm);
  }

  /** A per-channel vector [C] reshaped to broadcast over [N, C, spatial...]. */
  private static String perChannel(GraphBuilder b, String v, int rank) {
    long c = b.shape(v)[0];
    long[] s = new long[rank - 1];
    java.util.Arrays.fill(s, 1);
    s[0] = c;
    return b.reshape(v, s);
  }

  private static void batchNorm(VjpContext c) {
    c.requireOnly(0);
    if (c.node().attrInt("training_mode", 0) != 0) {
      throw c.unsupported("BatchNormalization in training mode is not an inference graph");
    }
    GraphBuilder b = c.b();
    int r = c.rank(c.x(0));
    float eps = c.node().attrFloat("epsilon", 1e-5f);
    String inv = b.div(c.x(1), b.op("Sqrt", b.add(c.x(4), b.scalarLike(eps, c.x(4)))));
    c.grad(0, b.mul(c.dy(), perChannel(b, inv, r)));
  }

  /** dX for x normalised over axes R (keepdims shapes), given g = dY * gamma. */
  static String normalizedBackward(GraphBuilder b, String x, String g, long[] axes, float eps) {
    String mean = b.reduceMean(x, axes, true);
    String xc = b.sub(x, mean);
    String var = b.reduceMean(b.mul(xc, xc), axes, true);
    String inv = b.op("Reciprocal", b.op("Sqrt", b.add(var, b.scalarLike(eps, var))));
    String xhat = b.mul(xc, inv);
    String m1 = b.reduceMean(g, axes, true);
    String m2 = b.reduceMean(b.mul(g, xhat), axes, true);
    return b.mul(b.sub(b.sub(g, m1), b.mul(xhat, m2)), inv);
  }

  private static void instanceNorm(VjpContext c) {
    c.requireOnly(0);
    GraphBuilder b = c.b();
    String x = c.x(0);
    int r = c.rank(x);
    float eps = c.node().attrFloat("epsilon", 1e-5f);
    String g = b.mul(c.dy(), perChannel(b, c.x(1), r));
    c.grad(0, normalizedBackward(b, x, g, GraphBuilder.range(2, r), eps));
  }

  private static void groupNorm(VjpContext c) {
    c.requireOnly(0);
    GraphBuilder b = c.b();
    String x = c.x(0);
    long[] xs = c.shape(x);
    int r = xs.length;
    long groups = c.node().attrInt("num_groups", 1);
    float eps = c.node().attrFloat("epsilon", 1e-5f);
    String scale = c.x(1);
    long channels = xs[1];
    if (b.shape(scale)[0] != channels) {
      // opset 18: one scale per group, shared by the group's channels
      String s = b.unsqueeze(scale, 1);
      s = b.expand(s, groups, channels / groups);
      scale = b.reshape(s, channels);
    }
    String g = b.mul(c.dy(), perChannel(b, scale, r));
    long[] gs = {xs[0], groups, gradcam3d.tensor.Shapes.numel(xs) / (xs[0] * groups)};
    String dx = normalizedBackward(b, b.reshape(x, gs), b.reshape(g, gs), new long[] {2}, eps);
    c.grad(0, b.reshape(dx, xs));
  }

  private static void layerNorm(VjpContext c) {
    c.requireOnly(0);
    if (c.dy(1) != null || c.dy(2) != null) {
      throw c.unsupported("its Mean/InvStdDev outputs are used on the gradient path");
    }
    GraphBuilder b = c.b();
    String x = c.x(0);
    int r = c.rank(x);
    long axis = c.node().attrInt("axis", -1);
    int a = (int) (axis < 0 ? axis + r : axis);
    float eps = c.node().attrFloat("epsilon", 1e-5f);
    String g = b.mul(c.dy(), c.x(1));
    c.grad(0, normalizedBackward(b, x, g, GraphBuilder.range(a, r), eps));
  }
}
