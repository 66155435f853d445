package gradcam3d.output;

import gradcam3d.Gradcam3dException;
import gradcam3d.render.RenderOptions;
import java.nio.file.Path;

/**
 * Where and what to write for an explained case.
 *
 * @param out the result folder (replaced as a whole when the new result is complete)
 * @param saveLayerCam also write cam_layer.npy (maps at layer resolution before ReLU)
 * @param saveTensors also write activation.npy and gradient.npy
 * @param pictures write overlay.png and montage.png
 * @param render how the pictures look
 */
public record OutputSettings(Path out, boolean saveLayerCam, boolean saveTensors, boolean pictures,
    RenderOptions render) {
  public OutputSettings {
    if (out == null || out.toString().isBlank()) {
      throw new Gradcam3dException("--out needs a folder name");
    }
    if (render == null) {
      render = RenderOptions.defaults();
    }
  }

  /** Maps, pictures with the default look, and summary.json into {@code out}. */
  public static OutputSettings into(Path out) {
    return new OutputSettings(out, false, false, true, RenderOptions.defaults());
  }

  public OutputSettings withOut(Path other) {
    return new OutputSettings(other, saveLayerCam, saveTensors, pictures, render);
  }
}
