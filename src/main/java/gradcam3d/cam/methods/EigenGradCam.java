package gradcam3d.cam.methods;

import gradcam3d.cam.CamMethod;
import gradcam3d.tensor.FloatTensor;

/** Eigen-Grad-CAM: the first principal component of G * A. */
public final class EigenGradCam implements CamMethod.OnHost {
  @Override
  public String name() {
    return "eigengradcam";
  }

  @Override
  public boolean usesGradients() {
    return true;
  }

  @Override
  public FloatTensor camLayer(FloatTensor activation, FloatTensor gradient) {
    float[] a = activation.data();
    float[] g = gradient.data();
    float[] p = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      p[i] = a[i] * g[i];
    }
    return PrincipalComponent.project(new FloatTensor(p, activation.shape()));
  }

  @Override
  public CamMethod.InGraph inGraph() {
    return new PrincipalComponentInGraph(name(), usesGradients());
  }
}
