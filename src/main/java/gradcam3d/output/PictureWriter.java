package gradcam3d.output;

import gradcam3d.cam.Explanation;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.render.Figures;
import gradcam3d.render.RenderedFigures;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Layout;
import gradcam3d.volume.Volume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * overlay.png and montage.png per sample (sample_b/ folders for a batch), drawn in (Z, Y, X)
 * order whatever the layout, with the target region (where it is on the input grid) outlined as
 * the contour rule decides.
 */
final class PictureWriter implements OutputWriter {
  @Override
  public void write(CaseResult r, OutputSettings o, Path dir, Written w) throws IOException {
    if (!o.pictures()) {
      return;
    }
    Explanation e = r.explanation();
    FloatTensor input = r.loaded().batch();
    long batch = input.dim(0);
    Layout layout = r.settings().layout();
    // NIfTI: the header's voxel size and affine (slice positions in mm); .npy: --spacing or 1 mm
    Volume volume = r.loaded().volume();
    boolean nifti = volume != null && volume.geometry().isPresent();
    double[] tensorSpacing = nifti ? volume.spacing() : o.render().npySpacing();
    double[] spacing = tensorSpacing != null ? layout.toZyx(tensorSpacing) : null;
    double[][] affine = nifti ? volume.affine() : null;
    for (int b = 0; b < batch; b++) {
      FloatTensor image = layout.toZyx(input.slice0(b).slice0(0));
      FloatTensor cam = e.cam().slice0(b);
      FloatTensor contour = null;
      if (e.region() != null && Arrays.equals(e.region().slice0(b).shape(), cam.shape())) {
        contour = layout.toZyx(e.region().slice0(b));
      }
      cam = layout.toZyx(cam);
      Path sub = batch > 1 ? dir.resolve("sample_" + b) : dir;
      Files.createDirectories(sub);
      RenderedFigures f = Figures.writeAll(image, cam, contour, spacing, affine, o.render(), sub);
      String prefix = batch > 1 ? "sample_" + b + "/" : "";
      String overlay = prefix + f.overlay().getFileName();
      w.add(overlay);
      String montage = null;
      Integer every = null;
      List<Integer> montageSlices = null;
      if (f.montagePng() != null) {
        montage = prefix + f.montagePng().getFileName();
        every = f.montage().every();
        montageSlices = f.montage().slices();
        w.add(montage);
      }
      w.add(new Written.Pictures(overlay, f.slices().z(), f.slices().y(), f.slices().x(), montage, every,
          montageSlices, f.contour().summary()));
    }
  }
}
