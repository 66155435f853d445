package gradcam3d.render;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import java.nio.file.Path;

/**
 * The overlay and the montage written one at a time, as the figure tests look at them
 * ({@link Figures#writeAll} writes both side by side for the command line). Arguments as there.
 */
final class FigureFiles {
  private FigureFiles() {}

  /**
   * Writes the axial, coronal and sagittal overlays through one point (one overlay for a 2D
   * input) with a colorbar, and returns that point.
   */
  static SlicePoint writeOverlay(FloatTensor image, FloatTensor cam, FloatTensor contour,
      double[] spacing, RenderOptions o, Path png) {
    Voxels v = Voxels.of(image, cam, contour, spacing);
    SlicePoint at = PeakFinder.choose(v, o);
    PngFiles.write(OverlayFigure.compose(v, renderer(v, o), at, o), png);
    return at;
  }

  /**
   * Writes a grid of axial overlays where the map is (every n-th slice with a given step),
   * aligned so the overlay's axial slice is one of the tiles, and returns which slices it shows.
   */
  static MontagePlan writeMontage(FloatTensor image, FloatTensor cam, FloatTensor contour,
      double[] spacing, RenderOptions o, Path png) {
    Voxels v = Voxels.of(image, cam, contour, spacing);
    if (v.is2d()) {
      throw new Gradcam3dException("a montage needs a volume with several slices; "
          + "a 2D image gets a single overlay.");
    }
    MontageFigure montage = new MontageFigure(v, o.montageEvery(), PeakFinder.choose(v, o).z(), o.figureSize());
    PngFiles.write(montage.compose(renderer(v, o), o.colormap()), png);
    return montage.plan;
  }

  private static SliceRenderer renderer(Voxels v, RenderOptions o) {
    return new SliceRenderer(v, GrayWindow.robust(v.image), o);
  }
}
