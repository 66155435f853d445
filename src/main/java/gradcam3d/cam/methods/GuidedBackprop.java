package gradcam3d.cam.methods;

import gradcam3d.autodiff.BackwardRules;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.Channels;
import gradcam3d.cam.GradientPath;
import gradcam3d.tensor.FloatTensor;

/**
 * Guided backpropagation (Springenberg et al. 2015; Captum GuidedBackprop): dT/dx with the guided
 * rule at every Relu, LeakyRelu and PRelu ({@link BackwardRules#GUIDED}); map = sum over channels.
 */
public final class GuidedBackprop implements CamMethod.InputSpace {
  @Override
  public String name() {
    return "guided-backprop";
  }

  @Override
  public BackwardRules rules() {
    return BackwardRules.GUIDED;
  }

  @Override
  public FloatTensor attribution(FloatTensor x, GradientPath path, FloatTensor gradient) {
    return gradient;
  }

  @Override
  public FloatTensor map(FloatTensor attribution) {
    return Channels.sum(attribution);
  }
}
