package gradcam3d.cam.methods;

import gradcam3d.cam.CamGraph;

/**
 * Grad-CAM++: alpha = G^2 / (2 G^2 + sum_space(A) G^3 + 1e-6) where G != 0 (else 0),
 * w_c = sum_space(relu(G) * alpha).
 */
public final class GradCamPlusPlus extends ChannelWeightedCam {
  @Override
  public String name() {
    return "gradcam++";
  }

  @Override
  protected String weights(CamGraph g, String a, String grad) {
    String g2 = g.mul(grad, grad);
    String g3 = g.mul(g2, grad);
    String denominator = g.add(g.add(g.mul(g2, g.constant(2, g2)), g.mul(g.sumOverSpace(a), g3)),
        g.constant(1e-6, g2));
    String alpha = g.keepWhere(g.nonZero(grad), g.div(g2, denominator));
    return g.sumOverSpace(g.mul(g.relu(grad), alpha));
  }
}
