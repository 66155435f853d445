package gradcam3d.cam.methods;

import gradcam3d.cam.CamMethod;
import gradcam3d.tensor.FloatTensor;

/** Eigen-CAM: the first principal component of the activations (no gradient, no target). */
public final class EigenCam implements CamMethod.OnHost {
  @Override
  public String name() {
    return "eigencam";
  }

  @Override
  public boolean usesGradients() {
    return false;
  }

  @Override
  public FloatTensor camLayer(FloatTensor activation, FloatTensor gradient) {
    return PrincipalComponent.project(activation);
  }

  @Override
  public CamMethod.InGraph inGraph() {
    return new PrincipalComponentInGraph(name(), usesGradients());
  }
}
