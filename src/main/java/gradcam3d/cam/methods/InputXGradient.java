package gradcam3d.cam.methods;

import gradcam3d.cam.CamMethod;
import gradcam3d.cam.Channels;
import gradcam3d.cam.GradientPath;
import gradcam3d.tensor.FloatTensor;

/** Input x gradient (Captum InputXGradient): x * dT/dx; map = sum over channels. */
public final class InputXGradient implements CamMethod.InputSpace {
  @Override
  public String name() {
    return "input-x-gradient";
  }

  @Override
  public FloatTensor attribution(FloatTensor x, GradientPath path, FloatTensor gradient) {
    return Channels.times(x, gradient);
  }

  @Override
  public FloatTensor map(FloatTensor attribution) {
    return Channels.sum(attribution);
  }
}
