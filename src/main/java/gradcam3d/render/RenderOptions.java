package gradcam3d.render;

import gradcam3d.Gradcam3dException;

/**
 * How to draw the figures.
 *
 * @param colormap colours for the CAM
 * @param opacity CAM opacity where the CAM is high, in [0,1]
 * @param z axial slice to show, or null for the slice through the CAM peak
 * @param y coronal slice to show, or null for the peak
 * @param x sagittal slice to show, or null for the peak
 * @param montageEvery show every n-th axial slice in the montage, or null for up to 24 tiles
 *     where the map is
 * @param contour when to outline the target region (given as a contour mask)
 * @param figureSize the longer side of each figure stays within about this many pixels
 * @param npySpacing voxel size in mm along the input tensor's spatial axes for inputs without
 *     geometry (.npy), or null for 1 mm; NIfTI inputs use their header's
 * @param neurological the patient's left on the screen's left in axial and coronal panels (the
 *     default, radiological, puts the patient's right there, as ITK-SNAP and 3D Slicer do)
 */
public record RenderOptions(
    Colormap colormap,
    double opacity,
    Integer z,
    Integer y,
    Integer x,
    Integer montageEvery,
    ContourRule contour,
    int figureSize,
    double[] npySpacing,
    boolean neurological) {

  public static final double DEFAULT_OPACITY = 0.45;
  public static final int DEFAULT_FIGURE_SIZE = 2000;
  /** Smaller figures leave no room for a readable colorbar and labels. */
  public static final int MIN_FIGURE_SIZE = 400;
  /** Larger figures make PNGs of hundreds of megabytes. */
  public static final int MAX_FIGURE_SIZE = 16000;

  public RenderOptions {
    if (colormap == null) {
      throw new Gradcam3dException("a colormap is required.");
    }
    if (!(opacity >= 0 && opacity <= 1)) {
      throw new Gradcam3dException("opacity must be between 0 and 1, got " + opacity + ".");
    }
    if (montageEvery != null && montageEvery < 1) {
      throw new Gradcam3dException(
          "the montage step must be at least 1, got " + montageEvery + ".");
    }
    if (contour == null) {
      throw new Gradcam3dException("a contour rule (always, auto or never) is required.");
    }
    if (figureSize < MIN_FIGURE_SIZE || figureSize > MAX_FIGURE_SIZE) {
      throw new Gradcam3dException("the figure size must be " + MIN_FIGURE_SIZE + " to "
          + MAX_FIGURE_SIZE + " pixels, got " + figureSize + ".");
    }
    if (npySpacing != null) {
      npySpacing = npySpacing.clone();
      for (double mm : npySpacing) {
        if (!(mm > 0) || Double.isInfinite(mm)) {
          throw new Gradcam3dException("voxel sizes must be positive numbers of mm, got "
              + java.util.Arrays.toString(npySpacing) + ".");
        }
      }
    }
  }

  /**
   * Jet at opacity 0.45, slices through the CAM peak, automatic montage, contour rule auto,
   * figures within 2000 px.
   */
  public static RenderOptions defaults() {
    return new RenderOptions(Colormap.JET, DEFAULT_OPACITY, null, null, null, null,
        ContourRule.AUTO, DEFAULT_FIGURE_SIZE, null, false);
  }

  public RenderOptions withColormap(Colormap c) {
    return new RenderOptions(c, opacity, z, y, x, montageEvery, contour, figureSize, npySpacing, neurological);
  }

  public RenderOptions withOpacity(double o) {
    return new RenderOptions(colormap, o, z, y, x, montageEvery, contour, figureSize, npySpacing, neurological);
  }

  public RenderOptions withSlices(Integer z, Integer y, Integer x) {
    return new RenderOptions(colormap, opacity, z, y, x, montageEvery, contour, figureSize, npySpacing, neurological);
  }

  public RenderOptions withMontageEvery(Integer every) {
    return new RenderOptions(colormap, opacity, z, y, x, every, contour, figureSize, npySpacing, neurological);
  }

  public RenderOptions withContour(ContourRule rule) {
    return new RenderOptions(colormap, opacity, z, y, x, montageEvery, rule, figureSize, npySpacing, neurological);
  }

  /** On: always outline the region; off: never. */
  public RenderOptions withContour(boolean on) {
    return withContour(on ? ContourRule.ALWAYS : ContourRule.NEVER);
  }

  public RenderOptions withNpySpacing(double[] mm) {
    return new RenderOptions(colormap, opacity, z, y, x, montageEvery, contour, figureSize, mm, neurological);
  }

  public RenderOptions withFigureSize(int pixels) {
    return new RenderOptions(colormap, opacity, z, y, x, montageEvery, contour, pixels, npySpacing, neurological);
  }

  /** Neurological (true) or radiological (false, the default) panels. */
  public RenderOptions withNeurological(boolean on) {
    return new RenderOptions(colormap, opacity, z, y, x, montageEvery, contour, figureSize, npySpacing, on);
  }
}
