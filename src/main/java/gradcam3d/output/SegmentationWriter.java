package gradcam3d.output;

import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.LoadedCase;
import gradcam3d.tensor.Labels;
import gradcam3d.volume.Layout;
import gradcam3d.volume.Npy;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeIO;
import gradcam3d.window.WindowedExplanation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The segmentation a sliding-window explanation explains (argmax of the blended prediction,
 * [1, *S]): segmentation.npy, and segmentation.nii.gz (.nrrd, .mha: the input's format) in the
 * input's geometry for inputs that have one. segmentation.npy is written as soon as the
 * segmentation is final ({@link #beginSegmentation}), while the explanation is still computed.
 */
final class SegmentationWriter implements OutputWriter {
  private static final String NPY = "segmentation.npy";

  /** segmentation.npy being written early, and the labels it holds; or null. */
  private Labels earlyLabels;
  private Background<Void> earlyNpy;

  @Override
  public Background<?> beginSegmentation(LoadedCase loaded, Layout layout, Labels segmentation, int regionClass,
      OutputSettings settings, Supplier<Path> staging) {
    Path dir = staging.get();
    if (dir == null) {
      return null;
    }
    Path file = dir.resolve(NPY);
    earlyLabels = segmentation;
    earlyNpy = Background.start("segmentation", () -> {
      Npy.write(segmentation, file);
      return null;
    });
    return earlyNpy;
  }

  @Override
  public void write(CaseResult r, OutputSettings o, Path dir, Written w) throws IOException {
    WindowedExplanation windows = r.windows();
    if (earlyNpy != null) {
      earlyNpy.join(); // its failure is this writer's
    }
    if (windows == null) {
      return;
    }
    if (earlyNpy == null || !windows.segmentation().isSameAs(earlyLabels)) {
      // (the result's segmentation is another one: written over the early file)
      Npy.write(windows.segmentation(), dir.resolve(NPY));
    }
    w.add(NPY);
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
