package gradcam3d.cam.methods;

import gradcam3d.cam.CamMethod;
import gradcam3d.tensor.FloatTensor;

/**
 * Seg-Eigen-CAM (Chung and Ying 2025; pytorch-grad-cam seg_eigen_cam.py): the projection of W = |G| * A
 * on its first principal component (the first right singular vector of W centred per channel),
 * the sign flipped when |min| > |max| (their Eq. 13, the eigen methods' rule). The component comes
 * from an exact float64 eigen-decomposition of the channels x channels matrix W^T W.
 */
public final class SegEigenCam implements CamMethod.OnHost {
  @Override
  public String name() {
    return "seg-eigen-cam";
  }

  @Override
  public boolean usesGradients() {
    return true;
  }

  @Override
  public String notPerWindow() {
    return "its principal component is one of the whole layer";
  }

  @Override
  public FloatTensor camLayer(FloatTensor activation, FloatTensor gradient) {
    float[] a = activation.data();
    float[] g = gradient.data();
    float[] w = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      w[i] = Math.abs(g[i]) * a[i];
    }
    return PrincipalComponent.project(new FloatTensor(w, activation.shape()));
  }

  @Override
  public CamMethod.InGraph inGraph() {
    return new PrincipalComponentInGraph(name(), true, true);
  }
}
