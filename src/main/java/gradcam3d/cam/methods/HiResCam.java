package gradcam3d.cam.methods;

import gradcam3d.cam.CamGraph;
import gradcam3d.cam.CamMethod;

/** HiResCAM: sum over channels of G * A (the gradient weights every voxel itself). */
public final class HiResCam implements CamMethod.InGraph {
  @Override
  public String name() {
    return "hirescam";
  }

  @Override
  public String camLayer(CamGraph g, String a, String grad) {
    return g.sumChannels(g.mul(grad, a));
  }
}
