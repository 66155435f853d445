package gradcam3d.output;

import gradcam3d.cam.Explanation;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeIO;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The maps in the input file's voxel order and geometry (cam.nii.gz, and cam_i.nii.gz with several
 * layers), an input-space method's signed attribution (attribution.nii.gz, or
 * attribution_c&lt;k&gt;.nii.gz per input channel), and a method's own stacks of maps as 4-D
 * NAME.nii.gz (dff: concepts.nii.gz); only for single-sample inputs with geometry. The format
 * follows the input's ({@link VolumeIO#mapName}): .nrrd for NRRD inputs, .mha for MetaImage,
 * .nii.gz for NIfTI and DICOM (a stack of maps always NIfTI).
 */
final class NiftiMapWriter implements OutputWriter {
  @Override
  public void write(CaseResult r, OutputSettings o, Path dir, Written w) {
    Volume v = r.loaded().scan();
    if (v == null || v.geometry().isEmpty()) {
      return;
    }
    Explanation e = r.explanation();
    String cam = VolumeIO.mapName("cam", v.format());
    VolumeIO.writeCam(e.cam().view0(0), v, dir.resolve(cam));
    w.add(cam);
    if (e.attribution() != null) {
      // the raw signed attribution of each input channel (one file per channel for several)
      FloatTensor a = e.attribution().values().view0(0);
      int channels = (int) a.dim(0);
      for (int c = 0; c < channels; c++) {
        String name = VolumeIO.mapName(channels == 1 ? "attribution" : "attribution_c" + c, v.format());
        VolumeIO.writeCam(a.view0(c), v, dir.resolve(name));
        w.add(name);
      }
    }
    if (e.extras() != null) {
      // a method's own stacks of maps, e.g. dff's concepts, as one 4-D file each
      for (Map.Entry<String, FloatTensor> m : e.extras().maps().entrySet()) {
        String name = m.getKey() + ".nii.gz";
        VolumeIO.writeMaps(m.getValue().view0(0), v, dir.resolve(name));
        w.add(name);
      }
    }
    List<Explanation.LayerMap> layers = e.layers();
    if (layers.size() > 1) {
      for (int i = 0; i < layers.size(); i++) {
        String name = VolumeIO.mapName("cam_" + i, v.format());
        VolumeIO.writeCam(layers.get(i).cam().view0(0), v, dir.resolve(name));
        w.add(name);
      }
    }
  }
}
