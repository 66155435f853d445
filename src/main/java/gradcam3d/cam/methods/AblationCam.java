package gradcam3d.cam.methods;

import gradcam3d.cam.CamMethod;
import gradcam3d.cam.Perturber;

/**
 * Ablation-CAM: w_c = (T - T with channel c of the layer set to 0) / T. When T is exactly 0 the
 * drop itself is the weight (dividing would give no usable map).
 */
public final class AblationCam implements CamMethod.Perturbation.OfLayer {
  @Override
  public String name() {
    return "ablationcam";
  }

  @Override
  public float[][] channelWeights(Perturber p, int layer) {
    float[][] w = new float[p.batch()][];
    for (int b = 0; b < p.batch(); b++) {
      double t = p.target(b);
      double[] ablated = p.ablatedScores(layer, b);
      w[b] = new float[ablated.length];
      for (int c = 0; c < ablated.length; c++) {
        double drop = t - ablated[c];
        w[b][c] = (float) (t != 0 ? drop / t : drop);
      }
    }
    return w;
  }
}
