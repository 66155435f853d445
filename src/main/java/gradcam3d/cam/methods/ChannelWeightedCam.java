package gradcam3d.cam.methods;

import gradcam3d.cam.CamGraph;
import gradcam3d.cam.CamMethod;

/** cam = sum_c w_c A_c: the methods differ only in their channel weights w [B, C, 1, ...]. */
abstract class ChannelWeightedCam implements CamMethod.InGraph {
  protected abstract String weights(CamGraph g, String activation, String gradient);

  @Override
  public final String camLayer(CamGraph g, String activation, String gradient) {
    return g.sumChannels(g.mul(weights(g, activation, gradient), activation));
  }
}
