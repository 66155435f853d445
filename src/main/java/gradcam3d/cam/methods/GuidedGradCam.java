package gradcam3d.cam.methods;

import gradcam3d.autodiff.BackwardRules;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.Channels;
import gradcam3d.cam.GradientPath;
import gradcam3d.tensor.FloatTensor;

/**
 * Guided Grad-CAM (Selvaraju et al. 2017, as pytorch-grad-cam composes it): the guided
 * backpropagation gradient times the final (ReLU-ed, resized, min-max) Grad-CAM map of the
 * chosen layer, broadcast over input channels; map = sum over channels.
 */
public final class GuidedGradCam implements CamMethod.InputSpace {
  @Override
  public String name() {
    return "guided-gradcam";
  }

  @Override
  public BackwardRules rules() {
    return BackwardRules.GUIDED;
  }

  @Override
  public CamMethod.InGraph camFactor() {
    return new GradCam();
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
