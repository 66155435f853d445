package gradcam3d.output;

import gradcam3d.cam.Explanation;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.LoadedCase;
import gradcam3d.render.Figures;
import gradcam3d.render.GrayWindow;
import gradcam3d.render.RenderedFigures;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Layout;
import gradcam3d.volume.Volume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * overlay.png and montage.png per sample (sample_b/ folders for a batch), drawn in (Z, Y, X)
 * order whatever the layout, with the target region (where it is on the input grid) outlined as
 * the contour rule decides.
 */
final class PictureWriter implements OutputWriter {
  /** One sample's figures and where they went. */
  private record Drawn(String prefix, RenderedFigures figures) {}

  private Background<List<Drawn>> drawing;
  private Background<List<GrayWindow>> windows;

  /** Each sample's gray window (1st..99th percentile of its scan) is found while the maps are computed. */
  @Override
  public Background<?> beginInput(LoadedCase loaded, Layout layout, OutputSettings o) {
    if (!o.pictures()) {
      return null;
    }
    FloatTensor input = loaded.batch();
    windows = Background.start("gray-window", () -> {
      List<GrayWindow> w = new ArrayList<>();
      for (int b = 0; b < input.dim(0); b++) {
        w.add(GrayWindow.robust(layout.toZyx(input.view0(b).view0(0)).data()));
      }
      return w;
    });
    return windows;
  }

  /** The figures are drawn and encoded meanwhile; {@link #write} records them. */
  @Override
  public Background<?> begin(CaseResult r, OutputSettings o, Path dir) {
    if (!o.pictures()) {
      return null;
    }
    Background<List<GrayWindow>> found = windows;
    drawing = Background.start("pictures", () -> draw(r, o, dir, found == null ? null : found.join()));
    return drawing;
  }

  @Override
  public void write(CaseResult r, OutputSettings o, Path dir, Written w) throws IOException {
    if (drawing == null) {
      return;
    }
    for (Drawn d : drawing.join()) {
      RenderedFigures f = d.figures();
      String overlay = d.prefix() + f.overlay().getFileName();
      w.add(overlay);
      String montage = null;
      Integer every = null;
      List<Integer> montageSlices = null;
      if (f.montagePng() != null) {
        montage = d.prefix() + f.montagePng().getFileName();
        every = f.montage().every();
        montageSlices = f.montage().slices();
        w.add(montage);
      }
      w.add(new Written.Pictures(overlay, f.slices().z(), f.slices().y(), f.slices().x(), montage, every,
          montageSlices, f.contour().summary()));
    }
  }

  private static List<Drawn> draw(CaseResult r, OutputSettings o, Path dir, List<GrayWindow> windows)
      throws IOException {
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
    List<Drawn> drawn = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      FloatTensor image = layout.toZyx(input.view0(b).view0(0));
      FloatTensor cam = e.cam().view0(b);
      FloatTensor contour = null;
      if (e.region() != null && Arrays.equals(e.region().view0(b).shape(), cam.shape())) {
        contour = layout.toZyx(e.region().view0(b));
      }
      cam = layout.toZyx(cam);
      Path sub = batch > 1 ? dir.resolve("sample_" + b) : dir;
      Files.createDirectories(sub);
      GrayWindow window = windows != null && windows.size() == batch ? windows.get(b) : null;
      drawn.add(new Drawn(batch > 1 ? "sample_" + b + "/" : "", Figures.writeAll(image, cam, contour, spacing, affine,
          window, o.render(), sub)));
    }
    return drawn;
  }
}
