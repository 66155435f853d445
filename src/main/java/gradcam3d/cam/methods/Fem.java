package gradcam3d.cam.methods;

import gradcam3d.OptionValueException;
import gradcam3d.Setting;
import gradcam3d.cam.CamGraph;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.MethodOptions;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.onnx.DataTypes;
import java.util.Map;

/**
 * FEM, the Feature Explanation Method (Fuad et al. 2020; pytorch-grad-cam fem.py): per sample and
 * channel the threshold th_c = mean_c + k * std_c over space (population std), w_c = the fraction
 * of voxels with A_c > th_c, cam = sum_c w_c A_c. Gradient-free: the target is not used. The test
 * is written A_c - mean_c > k * std_c, so that a constant channel (std 0) gets weight 0 exactly
 * even where float32 rounds its mean off its value.
 *
 * @param k the multiple of the standard deviation above the mean (pytorch-grad-cam: 2)
 */
public record Fem(double k) implements CamMethod.InGraph {
  public Fem {
    if (!(k >= 0) || Double.isInfinite(k)) {
      throw new OptionValueException(Setting.FEM_K, Setting.FEM_K.label() + " must be a finite number >= 0, not " + k);
    }
  }

  public Fem() {
    this(MethodOptions.FEM_K);
  }

  @Override
  public String name() {
    return "fem";
  }

  @Override
  public boolean usesGradients() {
    return false;
  }

  @Override
  public String notPerWindow() {
    return "its thresholds are statistics of the whole layer";
  }

  @Override
  public Map<String, Object> parameters() {
    return Map.of("fem_k", k);
  }

  @Override
  public CamMethod withOptions(MethodOptions o) {
    return new Fem(o.femK());
  }

  @Override
  public String camLayer(CamGraph g, String activation, String gradient) {
    return g.sumChannels(g.mul(weights(g, activation), activation));
  }

  /** w [B, C, 1, ...]: the fraction of each channel's voxels above its threshold. */
  private String weights(CamGraph g, String a) {
    GraphBuilder b = g.builder();
    String centred = b.sub(a, g.meanOverSpace(a));
    String std = b.op("Sqrt", g.meanOverSpace(b.mul(centred, centred)));
    String above = b.op("Greater", centred, b.mul(std, g.constant(k, std)));
    return g.meanOverSpace(b.cast(above, DataTypes.FLOAT));
  }
}
