package gradcam3d.cam.methods;

import gradcam3d.cam.CamGraph;
import gradcam3d.cam.CamMethod;

/** Element-wise Grad-CAM: sum over channels of relu(G * A). */
public final class GradCamElementwise implements CamMethod.InGraph {
  @Override
  public String name() {
    return "gradcam-elementwise";
  }

  @Override
  public String camLayer(CamGraph g, String a, String grad) {
    return g.sumChannels(g.relu(g.mul(grad, a)));
  }
}
