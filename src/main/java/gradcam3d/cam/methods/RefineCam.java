package gradcam3d.cam.methods;

import gradcam3d.OptionValueException;
import gradcam3d.Setting;
import gradcam3d.cam.CamGraph;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.MethodOptions;
import gradcam3d.cam.Normalise;
import gradcam3d.runtime.SeedHead;
import gradcam3d.tensor.FloatTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Refine-CAM (pytorch-grad-cam refine_cam.py): the base method's map at each layer, each through
 * the CAM contract (ReLU, resize to the input grid, min-max per sample), multiplied voxel by voxel
 * over the layers and min-maxed again; a coarse layer's map denoises a fine one's. pytorch-grad-cam
 * resizes with cv2/scipy and rescales before and after; here every layer follows our contract.
 * Each layer is computed by the base method in the one compiled graph; through sliding windows
 * each layer's map is blended over the volume first and the product taken once.
 *
 * @param base the per-layer method (pytorch-grad-cam: GradCAMPlusPlus), computed in the graph
 */
public record RefineCam(CamMethod.InGraph base) implements CamMethod.InGraph {
  public RefineCam {
    if (base instanceof RefineCam) {
      throw new OptionValueException(Setting.REFINE_BASE, Setting.REFINE_BASE.label() + " cannot be refine-cam itself");
    }
  }

  /** Over Grad-CAM++ ({@link MethodOptions#REFINE_BASE}; not looked up by name: the registry makes this one). */
  public RefineCam() {
    this(new GradCamPlusPlus());
  }

  /** Refine-CAM over {@code base}, which must be computed in the graph. */
  public static RefineCam over(CamMethod base) {
    if (!(base instanceof CamMethod.InGraph g)) {
      throw new OptionValueException(Setting.REFINE_BASE, Setting.REFINE_BASE.label()
          + " must be a method computed in the graph (gradcam, hirescam, "
          + "gradcam-elementwise, gradcam++, xgradcam, layercam, fem, random-cam, finer-cam), not " + base.name());
    }
    return new RefineCam(g);
  }

  @Override
  public String name() {
    return "refine-cam";
  }

  /** Names the base by its parameters, not its identity (program cache keys read this). */
  @Override
  public String toString() {
    return "RefineCam[base=" + base.getClass().getName() + (base instanceof Record ? base.toString() : "") + "]";
  }

  @Override
  public boolean usesGradients() {
    return base.usesGradients();
  }

  @Override
  public boolean combinesLayers() {
    return true;
  }

  @Override
  public String notPerWindow() {
    return base.notPerWindow();
  }

  @Override
  public SeedHead.Contrast contrast() {
    return base.contrast();
  }

  @Override
  public Map<String, Object> parameters() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("refine_base", base.name());
    m.putAll(base.parameters());
    return m;
  }

  @Override
  public CamMethod withOptions(MethodOptions o) {
    return over(o.refineBase().withOptions(o));
  }

  @Override
  public String camLayer(CamGraph g, String activation, String gradient) {
    return base.camLayer(g, activation, gradient);
  }

  /** The product of the layers' final maps, min-maxed per sample (a zero product stays zero). */
  @Override
  public FloatTensor combineLayers(List<FloatTensor> normalised) {
    float[] product = normalised.get(0).data().clone();
    for (int k = 1; k < normalised.size(); k++) {
      float[] d = normalised.get(k).data();
      for (int i = 0; i < product.length; i++) {
        product[i] *= d[i];
      }
    }
    return Normalise.perSampleInPlace(new FloatTensor(product, normalised.get(0).shape()));
  }
}
