package gradcam3d.cam.methods;

import gradcam3d.autodiff.BackwardRules;
import gradcam3d.autodiff.LrpRules;
import gradcam3d.cam.CamGraph;
import gradcam3d.cam.CamMethod;
import gradcam3d.tensor.FloatTensor;
import java.util.Map;

/**
 * LRP's relevance arriving at a layer's output tensor in the same backward sweep as {@link Lrp}
 * (the layer's "gradient" under the relevance rules, written as relevance.npy); cam_layer = its
 * sum over channels (signed), then the CAM contract (ReLU, resize, min-max) for display.
 */
public final class LrpAtLayer implements CamMethod.InGraph {
  private final LrpRules rules;

  public LrpAtLayer(LrpRules rules) {
    this.rules = rules;
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
    return Lrp.startingRelevance(rules, effectiveSeed, targetValues);
  }

  @Override
  public String notPerWindow() {
    return Lrp.notPerWindow(rules);
  }

  @Override
  public Map<String, Object> parameters() {
    return Lrp.parameters(rules);
  }

  @Override
  public String camLayer(CamGraph g, String activation, String gradient) {
    return g.sumChannels(gradient);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LrpAtLayer l && l.rules.equals(rules);
  }

  @Override
  public int hashCode() {
    return rules.hashCode();
  }

  @Override
  public String toString() {
    return "LrpAtLayer[" + rules.key() + "]";
  }
}
