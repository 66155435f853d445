package gradcam3d.cam.methods;

import gradcam3d.OptionValueException;
import gradcam3d.Setting;
import gradcam3d.cam.CamGraph;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.MethodOptions;
import gradcam3d.runtime.SeedHead;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finer-CAM (Zhang et al. 2025; pytorch-grad-cam finer_cam.py with its base GradCAM): Grad-CAM of a
 * contrast of the target class with the classes whose scores are nearest to it, so the map shows
 * what tells the class apart from its look-alikes. Per sample, with z the logits, p = softmax(z)
 * and C the {@code compare} classes nearest the target class c (by |z_k - z_c|, c itself left out):
 * T_b = sum_{k in C} p_k (z_c - alpha z_k) / (sum_{k in C} p_k + 1e-9), differentiated exactly,
 * softmax included ({@link FinerContrast}). For a classifier and the argmax target this is
 * pytorch-grad-cam's FinerCAM with comparison_categories 1..compare. For segmentation the same
 * holds per voxel inside the target region (weighted by the target's seed), with the comparison
 * classes ranked once per sample by the region-mean logits.
 *
 * @param alpha how much of each comparison class's logit is subtracted (pytorch-grad-cam: 1)
 * @param compare how many nearest classes (pytorch-grad-cam: the 1st to 3rd nearest); every other
 *     class when the model has fewer (pytorch-grad-cam fails then), e.g. the one other class of a
 *     binary segmentation: T is then about the logit difference z_c - alpha z_k
 */
public record FinerCam(double alpha, int compare) implements CamMethod.InGraph {
  private static final GradCam BASE = new GradCam();

  public FinerCam {
    if (!Double.isFinite(alpha)) {
      throw new OptionValueException(Setting.FINER_ALPHA, Setting.FINER_ALPHA.label()
          + " must be a finite number, not " + alpha);
    }
    if (compare < 1) {
      throw new OptionValueException(Setting.FINER_COMPARE, Setting.FINER_COMPARE.label()
          + " must be at least 1, not " + compare);
    }
  }

  public FinerCam() {
    this(MethodOptions.FINER_ALPHA, MethodOptions.FINER_COMPARE);
  }

  @Override
  public String name() {
    return "finer-cam";
  }

  @Override
  public String notPerWindow() {
    return "its target is a softmax-weighted contrast of the whole-volume logits, which windows cannot share "
        + "exactly";
  }

  @Override
  public Map<String, Object> parameters() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("finer_alpha", alpha);
    m.put("finer_compare", compare);
    m.put("finer_base", BASE.name());
    return m;
  }

  @Override
  public CamMethod withOptions(MethodOptions o) {
    return new FinerCam(o.finerAlpha(), o.finerCompare());
  }

  @Override
  public SeedHead.Contrast contrast() {
    return new FinerContrast(alpha, compare);
  }

  @Override
  public String camLayer(CamGraph g, String activation, String gradient) {
    return BASE.camLayer(g, activation, gradient);
  }
}
