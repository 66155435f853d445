package gradcam3d.cam.methods;

import gradcam3d.cam.CamMethod;
import gradcam3d.cam.Perturber;

/** Score-CAM: w = softmax over channels of the target scored on the input masked by each channel. */
public final class ScoreCam implements CamMethod.Perturbation.OfInput {
  @Override
  public String name() {
    return "scorecam";
  }

  @Override
  public float[][] channelWeights(Perturber p, int layer) {
    float[][] w = new float[p.batch()][];
    for (int b = 0; b < p.batch(); b++) {
      double[] s = p.maskedInputScores(layer, b);
      double max = Double.NEGATIVE_INFINITY;
      for (double v : s) {
        max = Math.max(max, v);
      }
      double sum = 0;
      double[] e = new double[s.length];
      for (int c = 0; c < s.length; c++) {
        e[c] = Math.exp(s[c] - max);
        sum += e[c];
      }
      w[b] = new float[s.length];
      for (int c = 0; c < s.length; c++) {
        w[b][c] = (float) (e[c] / sum);
      }
    }
    return w;
  }
}
