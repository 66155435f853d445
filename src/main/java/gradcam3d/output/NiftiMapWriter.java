package gradcam3d.output;

import gradcam3d.cam.Explanation;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeIO;
import java.nio.file.Path;
import java.util.List;

/**
 * The maps as NIfTI in the input file's voxel order and geometry (cam.nii.gz, and cam_i.nii.gz
 * with several layers); only for single-sample NIfTI inputs.
 */
final class NiftiMapWriter implements OutputWriter {
  @Override
  public void write(CaseResult r, OutputSettings o, Path dir, Written w) {
    Volume v = r.loaded().volume();
    if (v == null || v.geometry().isEmpty()) {
      return;
    }
    Explanation e = r.explanation();
    VolumeIO.writeCam(e.cam().slice0(0), v, dir.resolve("cam.nii.gz"));
    w.add("cam.nii.gz");
    List<Explanation.LayerMap> layers = e.layers();
    if (layers.size() > 1) {
      for (int i = 0; i < layers.size(); i++) {
        String name = "cam_" + i + ".nii.gz";
        VolumeIO.writeCam(layers.get(i).cam().slice0(0), v, dir.resolve(name));
        w.add(name);
      }
    }
  }
}
