package gradcam3d.output;

import gradcam3d.ShutdownCleanup;
import gradcam3d.cam.Explanation;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeFormat;
import gradcam3d.volume.VolumeIO;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * model_grid/ (with --save-model-grid): what the model saw and what it gave on its own grid, with
 * that grid's affine, so the preprocessing can be checked in a viewer: input.* (the model's input,
 * normalised; input_c<k>.* per channel for several) and cam.* (cam_i.* per layer with
 * several), in the scan's format (NIfTI for DICOM and .npy-free inputs with geometry).
 */
final class ModelGridWriter implements OutputWriter {
  static final String FOLDER = "model_grid";

  @Override
  public void write(CaseResult r, OutputSettings o, Path dir, Written w) throws IOException {
    Volume v = r.loaded().volume();
    if (!o.saveModelGrid() || v == null || v.geometry().isEmpty() || r.loaded().batch().dim(0) != 1) {
      return;
    }
    Path sub = ShutdownCleanup.createFolders(dir.resolve(FOLDER));
    VolumeFormat format = r.loaded().scan() != null ? r.loaded().scan().format() : v.format();
    for (int c = 0; c < v.channels(); c++) {
      String name = VolumeIO.mapName(v.channels() == 1 ? "input" : "input_c" + c, format);
      VolumeIO.writeCam(v.tensor().view0(c), v, sub.resolve(name));
      w.add(FOLDER + "/" + name);
    }
    Explanation e = r.modelGrid();
    String cam = VolumeIO.mapName("cam", format);
    VolumeIO.writeCam(e.cam().view0(0), v, sub.resolve(cam));
    w.add(FOLDER + "/" + cam);
    List<Explanation.LayerMap> layers = e.layers();
    if (layers.size() > 1) {
      for (int i = 0; i < layers.size(); i++) {
        String name = VolumeIO.mapName("cam_" + i, format);
        VolumeIO.writeCam(layers.get(i).cam().view0(0), v, sub.resolve(name));
        w.add(FOLDER + "/" + name);
      }
    }
  }
}
