package gradcam3d.render;

import gradcam3d.Futures;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Labels;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntBinaryOperator;

/**
 * Writes the pictures of an explanation. Inputs are in model-tensor order: image and CAM of shape
 * (Z, Y, X) or (Y, X) (leading axes of size 1 are dropped), CAM values in [0,1] (others are
 * clamped), an optional target mask of the same shape (inside where > 0.5), and the voxel size
 * along (Z, Y, X) in mm (null means 1 mm). Gray levels use the 1st..99th intensity percentile of
 * the whole volume, so every panel and tile shares one window. Where given, the NIfTI affine maps
 * voxel (i, j, k) to world mm; the figures' (Z, Y, X) axes are NIfTI's (k, j, i), and slices are
 * labelled with their position in mm.
 */
public final class Figures {
  public static final String OVERLAY_PNG = "overlay.png";
  public static final String MONTAGE_PNG = "montage.png";

  static {
    // figures are drawn into memory only; never try to reach a display
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private Figures() {}

  /** Writes overlay.png and, for a volume, montage.png into dir (input without geometry). */
  public static RenderedFigures writeAll(FloatTensor image, FloatTensor cam, FloatTensor contour,
      double[] spacing, RenderOptions o, Path dir) {
    return writeAll(image, cam, contour, spacing, null, o, dir);
  }

  /**
   * Writes overlay.png and, for a volume, montage.png into dir; affine is the NIfTI input's
   * voxel-to-world matrix (3 or 4 rows), or null.
   */
  public static RenderedFigures writeAll(FloatTensor image, FloatTensor cam, FloatTensor contour,
      double[] spacing, double[][] affine, RenderOptions o, Path dir) {
    return writeAll(image, cam, contour, spacing, affine, null, o, dir);
  }

  /**
   * Same, with the image's gray window found beforehand ({@link GrayWindow#robust} of the image:
   * it needs no map, so it can be found while the map is computed); null: found here.
   */
  public static RenderedFigures writeAll(FloatTensor image, FloatTensor cam, FloatTensor contour,
      double[] spacing, double[][] affine, GrayWindow window, RenderOptions o, Path dir) {
    return writeAll(image, cam, contour, spacing, affine, Display.arrayOrder(), window, o, dir);
  }

  /**
   * Same, for arrays in display order ({@link Display}): panels named and lettered as the
   * display says, {@code affine} that of the display grid (figure axes Z, Y, X = its k, j, i).
   */
  public static RenderedFigures writeAll(FloatTensor image, FloatTensor cam, FloatTensor contour,
      double[] spacing, double[][] affine, Display display, GrayWindow window, RenderOptions o, Path dir) {
    return writeAll(image, cam, contour, spacing, affine, display, window, null, o, dir);
  }

  /**
   * Same, for arrays that are blocks of a larger grid (a large scan shown at display resolution):
   * {@code fullIndex.applyAsInt(axis, shown)} is the full grid's index of a shown slice along axis
   * (0 = Z, 1 = Y, 2 = X), for index labels; null: the arrays are the full grid.
   */
  public static RenderedFigures writeAll(FloatTensor image, FloatTensor cam, FloatTensor contour,
      double[] spacing, double[][] affine, Display display, GrayWindow window, IntBinaryOperator fullIndex,
      RenderOptions o, Path dir) {
    return writeAll(image, cam, contour, spacing, affine, display, window, fullIndex, null, o, dir);
  }

  /**
   * Same, with the contour's decision already under way ({@code decided}, e.g. {@link #contourOf}
   * of the segmentation the contour mask was made from, started as soon as it was final; the
   * same decision as this mask's), or null: decided here.
   */
  public static RenderedFigures writeAll(FloatTensor image, FloatTensor cam, FloatTensor contour,
      double[] spacing, double[][] affine, Display display, GrayWindow window, IntBinaryOperator fullIndex,
      CompletableFuture<ContourDecision> decided, RenderOptions o, Path dir) {
    Voxels shown = Voxels.of(image, cam, contour, spacing, affine, display);
    Voxels v = fullIndex == null ? shown : shown.shownAs(fullIndex);
    // three independent passes over the volume, side by side: the gray window's percentiles,
    // the contour decision's pieces, and the peak (here)
    CompletableFuture<GrayWindow> gray = window != null ? CompletableFuture.completedFuture(window)
        : Futures.onOwnThread("gray-window", () -> GrayWindow.robust(v.image));
    CompletableFuture<ContourDecision> outline = decided != null ? decided
        : Futures.onOwnThread("contour", () -> ContourDecision.decide(v, o.contour()));
    SlicePoint at;
    Boolean drawn = null;
    try {
      at = PeakFinder.choose(v, o);
      // the rule or the region's share often decides alone: then the figures need not wait for
      // the pieces and the outline length, which only summary.json reports (a decision started
      // earlier is most likely done: its answer, without another pass over the mask)
      drawn = decided != null ? null : ContourDecision.decidedWithoutShape(v, o.contour());
    } finally {
      Futures.await(gray);
      if (drawn == null) {
        Futures.await(outline);
      }
    }
    SliceRenderer renderer = new SliceRenderer(v, Futures.join(gray), o,
        drawn != null ? drawn : Futures.join(outline).drawn());
    Path overlay = dir.resolve(OVERLAY_PNG);
    Path montagePng = dir.resolve(MONTAGE_PNG);
    // the two figures are independent: the montage renders on another core meanwhile
    CompletableFuture<MontagePlan> montage = v.is2d() ? null
        : Futures.onOwnThread("montage", () -> montage(v, renderer, at, o, montagePng));
    try {
      PngFiles.write(OverlayFigure.compose(v, renderer, at, o), overlay);
    } catch (RuntimeException e) {
      if (montage != null) {
        Futures.await(montage);
      }
      Futures.await(outline);
      throw e;
    }
    MontagePlan plan = montage == null ? null : Futures.join(montage);
    return new RenderedFigures(at, overlay, plan, montage == null ? null : montagePng, Futures.join(outline));
  }

  /**
   * The contour decision for the voxels of class {@code cls} in {@code labels}, a volume of
   * {@code shape} in figure order (Z, Y, X; or Y, X) with voxel size {@code spacing}: the same
   * decision as {@link #writeAll} makes for the mask that is 1 on those voxels and 0 elsewhere.
   */
  public static ContourDecision contourOf(Labels labels, int cls, long[] shape, double[] spacing, ContourRule rule) {
    Voxels grid = Voxels.gridOnly(shape, spacing);
    boolean[] in = new boolean[labels.size()];
    if ((long) grid.depth * grid.height * grid.width != in.length) {
      throw new IllegalArgumentException("a segmentation of " + in.length + " voxels is not a volume of shape "
          + java.util.Arrays.toString(shape));
    }
    for (int i = 0; i < in.length; i++) {
      in[i] = labels.get(i) == cls;
    }
    return ContourDecision.decide(grid, in, rule);
  }

  private static MontagePlan montage(Voxels v, SliceRenderer renderer, SlicePoint at,
      RenderOptions o, Path png) {
    MontageFigure montage = new MontageFigure(v, o.montageEvery(), at.z(), o.figureSize());
    PngFiles.write(montage.compose(renderer, o.colormap()), png);
    return montage.plan;
  }
}
