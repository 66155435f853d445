package gradcam3d.output;

import gradcam3d.pipeline.CaseResult;
import gradcam3d.volume.Npy;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeIO;
import gradcam3d.window.WindowedExplanation;
import java.nio.file.Path;

/**
 * The segmentation a sliding-window explanation explains (argmax of the blended prediction,
 * [1, *S]): segmentation.npy, and segmentation.nii.gz (.nrrd, .mha: the input's format) in the
 * input's geometry for inputs that have one.
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
    Volume v = r.loaded().scan();
    if (v != null && !v.geometry().isEmpty()) {
      String name = VolumeIO.mapName("segmentation", v.format());
      long[] s = windows.segmentation().shape();
      VolumeIO.writeCam(windows.segmentation().toFloatTensor().reshape(java.util.Arrays.copyOfRange(s, 1, s.length)), v,
          dir.resolve(name));
      w.add(name);
    }
  }
}
