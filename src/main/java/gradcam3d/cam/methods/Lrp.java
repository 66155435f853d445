package gradcam3d.cam.methods;

import gradcam3d.Setting;
import gradcam3d.autodiff.BackwardRules;
import gradcam3d.autodiff.LrpRules;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.Channels;
import gradcam3d.cam.GradientPath;
import gradcam3d.cam.MethodOptions;
import gradcam3d.tensor.FloatTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Layer-wise relevance propagation (zennit's composites, {@link LrpRules}) on the ONNX graph: the
 * target's seed at the output (the region at the class channel, or one-hot) propagated back to
 * the input by the composite's rules in place of the exact gradient rules. The attribution
 * [B, C, *S] is the input relevance; map = its channel sum. With layers the same sweep gives the
 * relevance arriving at each layer ({@link LrpAtLayer}). Cost: one forward and one backward pass
 * (each Conv's rule runs one to four extra convolutions and transposed convolutions).
 */
public final class Lrp implements CamMethod.InputSpace {
  private final LrpRules rules;

  public Lrp(LrpRules rules) {
    this.rules = rules;
  }

  /** EpsilonPlusFlat with zennit's defaults. */
  public Lrp() {
    this(LrpRules.of(LrpRules.Composite.EPSILON_PLUS_FLAT));
  }

  public LrpRules lrpRules() {
    return rules;
  }

  @Override
  public String name() {
    return "lrp";
  }

  @Override
  public BackwardRules rules() {
    return rules;
  }

  @Override
  public boolean propagatesRelevance() {
    return true;
  }

  @Override
  public double[] startingRelevance(FloatTensor effectiveSeed, FloatTensor targetValues) {
    return startingRelevance(rules, effectiveSeed, targetValues);
  }

  @Override
  public String notPerWindow() {
    return Lrp.notPerWindow(rules);
  }

  @Override
  public Map<String, Object> parameters() {
    return parameters(rules);
  }

  @Override
  public FloatTensor attribution(FloatTensor x, GradientPath path, FloatTensor gradient) {
    return gradient;
  }

  @Override
  public FloatTensor map(FloatTensor attribution) {
    return Channels.sum(attribution);
  }

  @Override
  public CamMethod withOptions(MethodOptions o) {
    return new Lrp(o.lrpRules().get());
  }

  @Override
  public CamMethod atLayers() {
    return new LrpAtLayer(rules);
  }

  /** The seed's sum per sample, or T when the relevance starts from the logits. */
  static double[] startingRelevance(LrpRules rules, FloatTensor effectiveSeed, FloatTensor targetValues) {
    int batch = (int) effectiveSeed.dim(0);
    double[] out = new double[batch];
    if (rules.start() == LrpRules.Start.LOGITS) {
      for (int b = 0; b < batch; b++) {
        out[b] = targetValues.data()[b];
      }
      return out;
    }
    int per = effectiveSeed.size() / batch;
    for (int b = 0; b < batch; b++) {
      double s = 0;
      for (int i = 0; i < per; i++) {
        s += effectiveSeed.data()[b * per + i];
      }
      out[b] = s;
    }
    return out;
  }

  /**
   * Per window with the window's share of the seed, except the box rule with its default bounds:
   * each window would take its own range instead of the volume's.
   */
  static String notPerWindow(LrpRules rules) {
    return rules.composite().usesBox() && rules.low() == null
        ? "its box rule needs " + Setting.LRP_LOW.label() + " and " + Setting.LRP_HIGH.label() + " with "
            + Setting.WINDOW.label() + " (by default each window would take its own range instead of the volume's)"
        : null;
  }

  static Map<String, Object> parameters(LrpRules rules) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("composite", rules.composite().cliName());
    m.put("epsilon", rules.epsilon());
    if (rules.composite() == LrpRules.Composite.EPSILON_GAMMA_BOX) {
      m.put("gamma", rules.gamma());
      m.put("low", rules.low() == null ? "sample minimum" : rules.low());
      m.put("high", rules.high() == null ? "sample maximum" : rules.high());
    }
    m.put("norm", rules.norm().name().toLowerCase(java.util.Locale.ROOT));
    m.put("start", rules.start().name().toLowerCase(java.util.Locale.ROOT));
    return m;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Lrp l && l.rules.equals(rules);
  }

  @Override
  public int hashCode() {
    return rules.hashCode();
  }

  @Override
  public String toString() {
    return "Lrp[" + rules.key() + "]";
  }
}
