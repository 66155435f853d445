package gradcam3d.cam.methods;

import gradcam3d.cam.CamGraph;

/** Grad-CAM: w_c = mean over all spatial axes of dT/dA_c. */
public final class GradCam extends ChannelWeightedCam {
  @Override
  public String name() {
    return "gradcam";
  }

  @Override
  protected String weights(CamGraph g, String a, String grad) {
    return g.meanOverSpace(grad);
  }
}
