package gradcam3d.cam.methods;

import gradcam3d.autodiff.BackwardRules;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.GradientPath;
import gradcam3d.tensor.FloatTensor;

/**
 * Guided Grad-CAM (Selvaraju et al. 2017, as pytorch-grad-cam composes it): the guided
 * backpropagation gradient times the final (ReLU-ed, resized, min-max) Grad-CAM map of the
 * chosen layer, broadcast over input channels; map = sum over channels.
 */
public final class GuidedGradCam implements CamMethod.InputSpace {
  /** The guided backpropagation part: its rule, attribution and channel reduction. */
  private static final GuidedBackprop GUIDED = new GuidedBackprop();

  @Override
  public String name() {
    return "guided-gradcam";
  }

  @Override
  public BackwardRules rules() {
    return GUIDED.rules();
  }

  @Override
  public CamMethod.InGraph camFactor() {
    return new GradCam();
  }

  @Override
  public FloatTensor attribution(FloatTensor x, GradientPath path, FloatTensor gradient) {
    return GUIDED.attribution(x, path, gradient);
  }

  @Override
  public FloatTensor map(FloatTensor attribution) {
    return GUIDED.map(attribution);
  }
}
