package gradcam3d.cam.methods;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.CamMethod;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The methods by command-line name (the parametrised ones with their defaults). */
public final class CamMethods {
  private static final Map<String, CamMethod> BY_NAME = new LinkedHashMap<>();

  static {
    for (CamMethod m : List.of(new GradCam(), new HiResCam(), new GradCamElementwise(),
        new GradCamPlusPlus(), new XGradCam(), new LayerCam(), new EigenCam(), new EigenGradCam(),
        new ScoreCam(), new AblationCam(), new Saliency(), new InputXGradient(), new SmoothGrad(),
        new IntegratedGradients(), new GuidedBackprop(), new GuidedGradCam(), new Fem(), new KpcaCam(),
        new SegEigenCam(), new FinerCam(), new FullGrad(), new RefineCam(), new RandomCam(), new Dff(),
        new OcclusionSensitivity(), new ShapleyCam(), new Lrp())) {
      BY_NAME.put(m.name(), m);
    }
  }

  private CamMethods() {}

  public static CamMethod byName(String name) {
    CamMethod m = BY_NAME.get(name.trim().toLowerCase(java.util.Locale.ROOT));
    if (m == null) {
      throw new Gradcam3dException("unknown method '" + name + "'; choose one of " + String.join(", ", names()));
    }
    return m;
  }

  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }
}
