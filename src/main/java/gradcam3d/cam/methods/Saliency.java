package gradcam3d.cam.methods;

import gradcam3d.cam.CamMethod;
import gradcam3d.cam.Channels;
import gradcam3d.cam.GradientPath;
import gradcam3d.tensor.FloatTensor;

/** Saliency (Simonyan et al. 2014; Captum Saliency, abs=True): |dT/dx|; map = max over channels. */
public final class Saliency implements CamMethod.InputSpace {
  @Override
  public String name() {
    return "saliency";
  }

  @Override
  public FloatTensor attribution(FloatTensor x, GradientPath path, FloatTensor gradient) {
    return Channels.abs(gradient);
  }

  @Override
  public FloatTensor map(FloatTensor attribution) {
    return Channels.maxAbs(attribution);
  }
}
