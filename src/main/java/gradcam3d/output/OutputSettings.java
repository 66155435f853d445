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
 * @param report write report.html (single-volume cases)
 * @param saveModelGrid also write model_grid/: the model's input (normalised) and the maps on the
 *     model's grid with its affine, besides the outputs on the scan's own grid
 */
public record OutputSettings(Path out, boolean saveLayerCam, boolean saveTensors, boolean pictures,
    RenderOptions render, boolean report, boolean saveModelGrid) {
  public OutputSettings {
    if (out == null || out.toString().isBlank()) {
      throw new Gradcam3dException("--out needs a folder name");
    }
    if (render == null) {
      render = RenderOptions.defaults();
    }
  }

  /** With report.html, as explain writes by default. */
  public OutputSettings(Path out, boolean saveLayerCam, boolean saveTensors, boolean pictures, RenderOptions render) {
    this(out, saveLayerCam, saveTensors, pictures, render, true, false);
  }

  /** Maps, pictures with the default look, report.html and summary.json into {@code out}. */
  public static OutputSettings into(Path out) {
    return new OutputSettings(out, false, false, true, RenderOptions.defaults(), true, false);
  }

  public OutputSettings withReport(boolean on) {
    return new OutputSettings(out, saveLayerCam, saveTensors, pictures, render, on, saveModelGrid);
  }

  public OutputSettings withModelGrid(boolean on) {
    return new OutputSettings(out, saveLayerCam, saveTensors, pictures, render, report, on);
  }
}
