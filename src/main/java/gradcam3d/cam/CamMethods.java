package gradcam3d.cam;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.methods.AblationCam;
import gradcam3d.cam.methods.EigenCam;
import gradcam3d.cam.methods.EigenGradCam;
import gradcam3d.cam.methods.GradCam;
import gradcam3d.cam.methods.GradCamElementwise;
import gradcam3d.cam.methods.GradCamPlusPlus;
import gradcam3d.cam.methods.HiResCam;
import gradcam3d.cam.methods.LayerCam;
import gradcam3d.cam.methods.Lrp;
import gradcam3d.cam.methods.OcclusionSensitivity;
import gradcam3d.cam.methods.ScoreCam;
import gradcam3d.cam.methods.ShapleyCam;
import gradcam3d.cam.methods.XGradCam;
import gradcam3d.cam.methods.GuidedBackprop;
import gradcam3d.cam.methods.GuidedGradCam;
import gradcam3d.cam.methods.InputXGradient;
import gradcam3d.cam.methods.IntegratedGradients;
import gradcam3d.cam.methods.Saliency;
import gradcam3d.cam.methods.SmoothGrad;
import gradcam3d.cam.methods.Dff;
import gradcam3d.cam.methods.Fem;
import gradcam3d.cam.methods.FinerCam;
import gradcam3d.cam.methods.FullGrad;
import gradcam3d.cam.methods.KpcaCam;
import gradcam3d.cam.methods.RandomCam;
import gradcam3d.cam.methods.RefineCam;
import gradcam3d.cam.methods.SegEigenCam;
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
