package gradcam3d.autodiff;

import java.util.Set;

/**
 * Which gradient rules a backward sweep uses: the exact ones ({@link VjpRules}, one per op), or
 * guided backpropagation's override for the Relu family, which leaves every other op exact.
 *
 * <p>The guided rule (Springenberg et al. 2015, as Captum's GuidedBackprop applies it to ReLU
 * modules): the exact rule applied to ReLU(dY). For Relu: dX = ReLU(dY) * [X > 0], so only
 * positive gradients pass, and only where the forward input is positive. For LeakyRelu and PRelu
 * (slope a): dX = ReLU(dY) * (X > 0 ? 1 : a), i.e. positive gradients pass on both sides, scaled
 * by the slope on the negative side.
 */
public enum BackwardRules {
  EXACT, GUIDED;

  private static final Set<String> GUIDED_OPS = Set.of("Relu", "LeakyRelu", "PRelu");

  /** The rule for an op type, or null when there is none. */
  public VjpRule rule(String opType) {
    VjpRule exact = VjpRules.get(opType);
    if (this == EXACT || exact == null || !GUIDED_OPS.contains(opType)) {
      return exact;
    }
    return c -> {
      String[] positive = {c.b().op("Relu", c.dy())};
      boolean[] needs = new boolean[c.node().inputs().size()];
      for (int i = 0; i < needs.length; i++) {
        needs[i] = c.needs(i);
      }
      VjpContext inner = new VjpContext(c.b(), c.node(), positive, needs);
      exact.apply(inner);
      for (int i = 0; i < needs.length; i++) {
        if (needs[i]) {
          c.grad(i, inner.gradient(i));
        }
      }
    };
  }
}
