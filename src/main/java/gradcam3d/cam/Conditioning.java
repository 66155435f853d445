package gradcam3d.cam;

import gradcam3d.Setting;
import gradcam3d.autodiff.GradientProgram;
import gradcam3d.autodiff.GradientProgram.LayerGradient;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.tensor.FloatTensor;
import java.util.List;

/**
 * Whether Grad-CAM's channel weights (spatial means of the gradient) are noise. A layer that feeds
 * InstanceNorm/GroupNorm gets a gradient whose channel means vanish up to rounding (the norm's
 * derivative sums to zero over the normalised axes), so float32 differences of 1e-5 flip the map.
 * Ill-conditioned: |mean_v G_c| < {@value #RATIO} * mean_v |G_c| for every channel of a sample
 * that has any gradient at all (an all-zero gradient is an exact zero map, not noise).
 */
public final class Conditioning {
  public static final double RATIO = 1e-4;
  public static final String ADVICE = "Grad-CAM's channel weights (spatial means of the gradient) are zero up "
      + "to rounding at this layer (it likely feeds InstanceNorm/GroupNorm), so the map is noise: use "
      + Setting.METHOD.label() + " hirescam or layercam, or another layer";

  private Conditioning() {}

  private static String mean(int i) {
    return "gc3d_grad_mean_" + i;
  }

  private static String absMean(int i) {
    return "gc3d_grad_abs_mean_" + i;
  }

  /** Adds per layer the channel means of G and of |G|, [B, C, 1, ...], as program outputs. */
  static void append(GradientProgram p) {
    GraphBuilder b = p.builder();
    CamGraph g = new CamGraph(b);
    for (int i = 0; i < p.layers().size(); i++) {
      LayerGradient l = p.layers().get(i);
      b.opNamed("Identity", List.of(g.meanOverSpace(l.gradient())), List.of(mean(i)));
      b.opNamed("Identity", List.of(g.meanOverSpace(b.op("Abs", l.gradient()))), List.of(absMean(i)));
      p.addOutput(mean(i));
      p.addOutput(absMean(i));
    }
  }

  /** Whether any sample's weights at layer i are ill-conditioned; null when the run has no gradients. */
  static Boolean illConditioned(GradientEngine.Result r, int i) {
    if (!r.has(mean(i))) {
      return null;
    }
    return illConditioned(r.floats(mean(i)), r.floats(absMean(i)));
  }

  /** The test on channel means m = mean_v G and a = mean_v |G|, both [B, C, ...1]. */
  public static boolean illConditioned(FloatTensor m, FloatTensor a) {
    int batch = (int) m.dim(0);
    int channels = (int) m.dim(1);
    float[] md = m.data();
    float[] ad = a.data();
    for (int s = 0; s < batch; s++) {
      boolean anyGradient = false;
      boolean anyWellConditioned = false;
      for (int c = 0; c < channels; c++) {
        int k = s * channels + c;
        anyGradient |= ad[k] > 0;
        anyWellConditioned |= ad[k] > 0 && Math.abs(md[k]) >= RATIO * ad[k];
      }
      if (anyGradient && !anyWellConditioned) {
        return true;
      }
    }
    return false;
  }
}
