package gradcam3d.cam.methods;

import gradcam3d.cam.CamGraph;
import gradcam3d.cam.CamMethod;

/** LayerCAM: sum over channels of relu(G) * A. */
public final class LayerCam implements CamMethod.InGraph {
  @Override
  public String name() {
    return "layercam";
  }

  @Override
  public String camLayer(CamGraph g, String a, String grad) {
    return g.sumChannels(g.mul(g.relu(grad), a));
  }
}
