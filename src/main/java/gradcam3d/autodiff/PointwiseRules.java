package gradcam3d.autodiff;

import gradcam3d.graph.Const;
import gradcam3d.graph.GraphBuilder;
import java.util.List;
import java.util.Map;

/** Elementwise ops: arithmetic with broadcasting, activations, Softmax. */
final class PointwiseRules {
  private PointwiseRules() {}

  static void register(Map<String, VjpRule> t) {
    // only inputs that need a gradient are asked for their shapes: the other one may be a
    // constant whose shape inference could not fix (a Swin attention bias, for example)
    t.put("Add", c -> {
      for (int i = 0; i < 2; i++) {
        if (c.needs(i)) {
          c.grad(i, c.b().unbroadcast(c.dy(), c.shape(c.x(i))));
        }
      }
    });
    t.put("Sub", c -> {
      if (c.needs(0)) {
        c.grad(0, c.b().unbroadcast(c.dy(), c.shape(c.x(0))));
      }
      if (c.needs(1)) {
        c.grad(1, c.b().unbroadcast(c.b().neg(c.dy()), c.shape(c.x(1))));
      }
    });
    t.put("Mul", c -> {
      GraphBuilder b = c.b();
      if (c.needs(0)) {
        c.grad(0, b.unbroadcast(b.mul(c.dy(), c.x(1)), c.shape(c.x(0))));
      }
      if (c.needs(1)) {
        c.grad(1, b.unbroadcast(b.mul(c.dy(), c.x(0)), c.shape(c.x(1))));
      }
    });
    t.put("Div", c -> {
      GraphBuilder b = c.b();
      if (c.needs(0)) {
        c.grad(0, b.unbroadcast(b.div(c.dy(), c.x(1)), c.shape(c.x(0))));
      }
      if (c.needs(1)) {
        // d(A/B)/dB = -A/B^2 = -Y/B
        c.grad(1, b.unbroadcast(b.neg(b.mul(c.dy(), b.div(c.y(0), c.x(1)))), c.shape(c.x(1))));
      }
    });
    t.put("Sum", c -> {
      for (int i = 0; i < c.node().inputs().size(); i++) {
        if (c.needs(i)) {
          c.grad(i, c.b().unbroadcast(c.dy(), c.shape(c.x(i))));
        }
      }
    });
    t.put("Mean", c -> {
      int n = c.node().inputs().size();
      String scaled = c.b().mul(c.dy(), c.b().scalarLike(1.0 / n, c.dy()));
      for (int i = 0; i < n; i++) {
        if (c.needs(i)) {
          c.grad(i, c.b().unbroadcast(scaled, c.shape(c.x(i))));
        }
      }
    });
    // the condition selects dY for whichever input was taken; it gets no gradient itself
    t.put("Where", c -> {
      c.requireOnly(1, 2);
      GraphBuilder b = c.b();
      String zero = b.scalarLike(0, c.dy());
      if (c.needs(1)) {
        c.grad(1, b.unbroadcast(b.where(c.x(0), c.dy(), zero), c.shape(c.x(1))));
      }
      if (c.needs(2)) {
        c.grad(2, b.unbroadcast(b.where(c.x(0), zero, c.dy()), c.shape(c.x(2))));
      }
    });
    t.put("Max", PointwiseRules::extremum);
    t.put("Min", PointwiseRules::extremum);
    t.put("Pow", c -> {
      GraphBuilder b = c.b();
      String x = c.x(0);
      String p = c.x(1);
      if (c.needs(0)) {
        Const pv = c.value(p);
        String g;
        if (pv != null && pv.size() == 1) {
          double e = pv.realAt(0);
          String coeff = b.scalarLike(e, x);
          g = e == 2 ? b.mul(b.mul(c.dy(), coeff), x)
              : b.mul(b.mul(c.dy(), coeff), b.op("Pow", x, b.scalarLike(e - 1, x)));
        } else {
          String pm1 = b.sub(b.cast(p, b.type(x)), b.scalarLike(1, x));
          g = b.mul(b.mul(c.dy(), b.cast(p, b.type(x))), b.op("Pow", x, pm1));
        }
        c.grad(0, b.unbroadcast(g, c.shape(x)));
      }
      if (c.needs(1)) {
        // d(x^p)/dp = x^p * log(x), defined for x > 0
        String pos = b.op("Greater", x, b.scalarLike(0, x));
        String safe = b.where(pos, x, b.scalarLike(1, x));
        String g = b.mul(c.dy(), b.mul(c.y(0), b.op("Log", safe)));
        c.grad(1, b.unbroadcast(g, c.shape(p)));
      }
    });

    // activations: dX = dY * f'(X), written with the cheapest of X and Y
    t.put("Relu", c -> {
      GraphBuilder b = c.b();
      String pos = b.op("Greater", c.y(0), b.scalarLike(0, c.y(0)));
      c.grad(0, b.where(pos, c.dy(), b.scalarLike(0, c.dy())));
    });
    t.put("LeakyRelu", c -> {
      GraphBuilder b = c.b();
      float alpha = c.node().attrFloat("alpha", 0.01f);
      String pos = b.op("Greater", c.x(0), b.scalarLike(0, c.x(0)));
      c.grad(0, b.where(pos, c.dy(), b.mul(c.dy(), b.scalarLike(alpha, c.dy()))));
    });
    t.put("PRelu", c -> {
      c.requireOnly(0);
      GraphBuilder b = c.b();
      String pos = b.op("Greater", c.x(0), b.scalarLike(0, c.x(0)));
      c.grad(0, b.where(pos, c.dy(), b.mul(c.dy(), c.x(1))));
    });
    t.put("Elu", c -> {
      GraphBuilder b = c.b();
      float alpha = c.node().attrFloat("alpha", 1f);
      String pos = b.op("Greater", c.x(0), b.scalarLike(0, c.x(0)));
      String neg = b.mul(c.dy(), b.add(c.y(0), b.scalarLike(alpha, c.y(0))));
      c.grad(0, b.where(pos, c.dy(), neg));
    });
    t.put("Selu", c -> {
      GraphBuilder b = c.b();
      float alpha = c.node().attrFloat("alpha", 1.67326319217681884765625f);
      float gamma = c.node().attrFloat("gamma", 1.05070102214813232421875f);
      String pos = b.op("Greater", c.x(0), b.scalarLike(0, c.x(0)));
      String posG = b.mul(c.dy(), b.scalarLike(gamma, c.dy()));
      String negG = b.mul(c.dy(), b.add(c.y(0), b.scalarLike(alpha * gamma, c.y(0))));
      c.grad(0, b.where(pos, posG, negG));
    });
    t.put("Celu", c -> {
      GraphBuilder b = c.b();
      float alpha = c.node().attrFloat("alpha", 1f);
      String pos = b.op("Greater", c.x(0), b.scalarLike(0, c.x(0)));
      // for x <= 0: y = alpha*(exp(x/alpha)-1), dy/dx = exp(x/alpha) = y/alpha + 1
      String negD = b.add(b.div(c.y(0), b.scalarLike(alpha, c.y(0))), b.scalarLike(1, c.y(0)));
      c.grad(0, b.where(pos, c.dy(), b.mul(c.dy(), negD)));
    });
    t.put("Sigmoid", c -> {
      GraphBuilder b = c.b();
      String y = c.y(0);
      c.grad(0, b.mul(c.dy(), b.mul(y, b.sub(b.scalarLike(1, y), y))));
    });
    t.put("Tanh", c -> {
      GraphBuilder b = c.b();
      String y = c.y(0);
      c.grad(0, b.mul(c.dy(), b.sub(b.scalarLike(1, y), b.mul(y, y))));
    });
    t.put("Softplus", c -> c.grad(0, c.b().mul(c.dy(), c.b().op("Sigmoid", c.x(0)))));
    t.put("Softsign", c -> {
      GraphBuilder b = c.b();
      String d = b.add(b.scalarLike(1, c.x(0)), b.op("Abs", c.x(0)));
      c.grad(0, b.div(c.dy(), b.mul(d, d)));
    });
    t.put("Erf", c -> {
      GraphBuilder b = c.b();
      String x = c.x(0);
      String e = b.op("Exp", b.neg(b.mul(x, x)));
      c.grad(0, b.mul(c.dy(), b.mul(e, b.scalarLike(2 / Math.sqrt(Math.PI), x))));
    });
    t.put("Gelu", PointwiseRules::gelu);
    t.put("HardSigmoid", c -> {
      GraphBuilder b = c.b();
      float alpha = c.node().attrFloat("alpha", 0.2f);
      float beta = c.node().attrFloat("beta", 0.5f);
      String z = b.add(b.mul(c.x(0), b.scalarLike(alpha, c.x(0))), b.scalarLike(beta, c.x(0)));
      String inside = b.op("And", b.op("Greater", z, b.scalarLike(0, z)), b.op("Less", z, b.scalarLike(1, z)));
      c.grad(0, b.where(inside, b.mul(c.dy(), b.scalarLike(alpha, c.dy())), b.scalarLike(0, c.dy())));
    });
    t.put("HardSwish", c -> {
      GraphBuilder b = c.b();
      String x = c.x(0);
      // y = x * clip(x/6 + 1/2, 0, 1): 0 below -3, 1 above 3, (2x+3)/6 between (PyTorch's choice)
      String mid = b.add(b.mul(x, b.scalarLike(1.0 / 3, x)), b.scalarLike(0.5, x));
      String hi = b.op("Greater", x, b.scalarLike(3, x));
      String lo = b.op("Less", x, b.scalarLike(-3, x));
      String d = b.where(hi, b.scalarLike(1, x), b.where(lo, b.scalarLike(0, x), mid));
      c.grad(0, b.mul(c.dy(), d));
    });
    t.put("Mish", c -> {
      GraphBuilder b = c.b();
      String x = c.x(0);
      String tsp = b.op("Tanh", b.op("Softplus", x));
      String d = b.add(tsp, b.mul(b.mul(x, b.op("Sigmoid", x)), b.sub(b.scalarLike(1, x), b.mul(tsp, tsp))));
      c.grad(0, b.mul(c.dy(), d));
    });
    t.put("Clip", c -> {
      c.requireOnly(0);
      GraphBuilder b = c.b();
      String x = c.x(0);
      String keep = null;
      String lo = null;
      String hi = null;
      if (c.opset() < 11) {
        if (c.node().has("min")) {
          lo = b.scalarLike(c.node().attrFloat("min", 0), x);
        }
        if (c.node().has("max")) {
          hi = b.scalarLike(c.node().attrFloat("max", 0), x);
        }
      } else {
        lo = c.x(1).isEmpty() ? null : c.x(1);
        hi = c.x(2).isEmpty() ? null : c.x(2);
      }
      if (lo != null) {
        keep = b.op("GreaterOrEqual", x, lo);
      }
      if (hi != null) {
        String k2 = b.op("LessOrEqual", x, hi);
        keep = keep == null ? k2 : b.op("And", keep, k2);
      }
      c.grad(0, keep == null ? c.dy() : b.where(keep, c.dy(), b.scalarLike(0, c.dy())));
    });
    t.put("Sqrt", c -> {
      GraphBuilder b = c.b();
      c.grad(0, b.div(b.mul(c.dy(), b.scalarLike(0.5, c.dy())), c.y(0)));
    });
    t.put("Exp", c -> c.grad(0, c.b().mul(c.dy(), c.y(0))));
    t.put("Log", c -> c.grad(0, c.b().div(c.dy(), c.x(0))));
    t.put("Neg", c -> c.grad(0, c.b().neg(c.dy())));
    t.put("Reciprocal", c -> {
      GraphBuilder b = c.b();
      c.grad(0, b.neg(b.mul(c.dy(), b.mul(c.y(0), c.y(0)))));
    });
    t.put("Abs", c -> c.grad(0, c.b().mul(c.dy(), c.b().op("Sign", c.x(0)))));
    t.put("Sin", c -> c.grad(0, c.b().mul(c.dy(), c.b().op("Cos", c.x(0)))));
    t.put("Cos", c -> c.grad(0, c.b().neg(c.b().mul(c.dy(), c.b().op("Sin", c.x(0))))));
    t.put("Softmax", c -> {
      GraphBuilder b = c.b();
      long[] axes = softmaxAxes(c);
      String y = c.y(0);
      String s = b.reduceSum(b.mul(c.dy(), y), axes, true);
      c.grad(0, b.mul(y, b.sub(c.dy(), s)));
    });
    t.put("LogSoftmax", c -> {
      GraphBuilder b = c.b();
      long[] axes = softmaxAxes(c);
      String s = b.reduceSum(c.dy(), axes, true);
      c.grad(0, b.sub(c.dy(), b.mul(b.op("Exp", c.y(0)), s)));
    });
    VjpRule pass = c -> c.grad(0, c.dy());
    t.put("Identity", pass);
    t.put("Dropout", pass);
    t.put("Cast", pass);
    t.put("CastLike", c -> {
      c.requireOnly(0);
      c.grad(0, c.dy());
    });
  }

  /** Softmax/LogSoftmax axes: one axis from opset 13, all trailing axes from `axis` before. */
  private static long[] softmaxAxes(VjpContext c) {
    int r = c.rank(c.x(0));
    long axis = c.node().attrInt("axis", c.opset() >= 13 ? -1 : 1);
    int a = (int) (axis < 0 ? axis + r : axis);
    return c.opset() >= 13 ? new long[] {a} : GraphBuilder.range(a, r);
  }

  /** Max/Min: the gradient goes to the first input holding the extreme value. */
  private static void extremum(VjpContext c) {
    GraphBuilder b = c.b();
    int n = c.node().inputs().size();
    String taken = null;
    String zero = b.scalarLike(0, c.dy());
    for (int i = 0; i < n; i++) {
      String eq = b.op("Equal", b.expand(c.x(i), c.shape(c.y(0))), c.y(0));
      String mine = taken == null ? eq : b.op("And", eq, b.op("Not", taken));
      if (c.needs(i)) {
        c.grad(i, b.unbroadcast(b.where(mine, c.dy(), zero), c.shape(c.x(i))));
      }
      taken = taken == null ? eq : b.op("Or", taken, eq);
    }
  }

  private static void gelu(VjpContext c) {
    GraphBuilder b = c.b();
    String x = c.x(0);
    String d;
    if (c.node().attrString("approximate", "none").equals("tanh")) {
      // y = 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3)
      double k = Math.sqrt(2 / Math.PI);
      String x2 = b.mul(x, x);
      String u = b.mul(b.scalarLike(k, x), b.add(x, b.mul(b.scalarLike(0.044715, x), b.mul(x2, x))));
      String th = b.op("Tanh", u);
      String du = b.mul(b.scalarLike(k, x), b.add(b.scalarLike(1, x), b.mul(b.scalarLike(3 * 0.044715, x), x2)));
      String sech2 = b.sub(b.scalarLike(1, x), b.mul(th, th));
      d = b.add(b.mul(b.scalarLike(0.5, x), b.add(b.scalarLike(1, x), th)),
          b.mul(b.mul(b.scalarLike(0.5, x), x), b.mul(sech2, du)));
    } else {
      String cdf = b.mul(b.scalarLike(0.5, x),
          b.add(b.scalarLike(1, x), b.op("Erf", b.mul(x, b.scalarLike(1 / Math.sqrt(2), x)))));
      String pdf = b.mul(b.op("Exp", b.mul(b.mul(x, x), b.scalarLike(-0.5, x))),
          b.scalarLike(1 / Math.sqrt(2 * Math.PI), x));
      d = b.add(cdf, b.mul(x, pdf));
    }
    c.grad(0, b.mul(c.dy(), d));
  }
}
