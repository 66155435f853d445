package gradcam3d.output;

import gradcam3d.pipeline.CaseResult;
import gradcam3d.volume.Npy;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeIO;
import gradcam3d.window.WindowedExplanation;
import java.nio.file.Path;

/**
 * The segmentation a sliding-window explanation explains (argmax of the blended prediction,
 * [1, *S]): segmentation.npy, and segmentation.nii.gz in the input's geometry for NIfTI inputs.
 */
final class SegmentationWriter implements OutputWriter {
  @Override
  public void write(CaseResult r, OutputSettings o, Path dir, Written w) {
    WindowedExplanation windows = r.windows();
    if (windows == null) {
      return;
    }
    Npy.write(windows.segmentation(), dir.resolve("segmentation.npy"));
    w.add("segmentation.npy");
    Volume v = r.loaded().volume();
    if (v != null && !v.geometry().isEmpty()) {
      VolumeIO.writeCam(windows.segmentation().view0(0), v, dir.resolve("segmentation.nii.gz"));
      w.add("segmentation.nii.gz");
    }
  }
}
