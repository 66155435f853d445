package gradcam3d.cam.methods;

import gradcam3d.cam.CamGraph;

/**
 * ShapleyCAM (Cai et al. 2025; pytorch-grad-cam's ShapleyCAM): the gradient corrected by half the
 * Hessian-vector product, w_c = mean_space(G - 0.5 H A) with H A = d/dA (G . A), A held fixed in
 * the product ({@link CamGraph#hessianTimesActivation}: the compiled gradient graph differentiated
 * a second time, exact). Through piecewise-linear layers to a logit target H A is exactly 0 and the
 * map equals Grad-CAM's; InstanceNorm/GroupNorm, softmax or sigmoid scores make it non-zero. Cost:
 * one forward, one backward and one second backward pass (about twice Grad-CAM's backward).
 */
public final class ShapleyCam extends ChannelWeightedCam {
  @Override
  public String name() {
    return "shapley-cam";
  }

  @Override
  protected String weights(CamGraph g, String a, String grad) {
    String corrected = g.add(grad, g.mul(g.hessianTimesActivation(), g.constant(-0.5, grad)));
    return g.meanOverSpace(corrected);
  }
}
