package gradcam3d.cam.methods;

import gradcam3d.cam.CamGraph;

/** XGrad-CAM: w_c = sum_space(G * A / (sum_space(A) + 1e-7)). */
public final class XGradCam extends ChannelWeightedCam {
  @Override
  public String name() {
    return "xgradcam";
  }

  @Override
  protected String weights(CamGraph g, String a, String grad) {
    String norm = g.add(g.sumOverSpace(a), g.constant(1e-7, a));
    return g.sumOverSpace(g.div(g.mul(grad, a), norm));
  }
}
