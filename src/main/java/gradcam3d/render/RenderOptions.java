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
 * @param montageEvery show every n-th axial slice in the montage, or null for about 16-24 tiles
 * @param contour draw the outline of the target region when a contour mask is given
 */
public record RenderOptions(
    Colormap colormap,
    double opacity,
    Integer z,
    Integer y,
    Integer x,
    Integer montageEvery,
    boolean contour) {

  public static final double DEFAULT_OPACITY = 0.45;

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
  }

  /** Jet at opacity 0.45, slices through the CAM peak, automatic montage step, contour on. */
  public static RenderOptions defaults() {
    return new RenderOptions(Colormap.JET, DEFAULT_OPACITY, null, null, null, null, true);
  }

  public RenderOptions withColormap(Colormap c) {
    return new RenderOptions(c, opacity, z, y, x, montageEvery, contour);
  }

  public RenderOptions withOpacity(double o) {
    return new RenderOptions(colormap, o, z, y, x, montageEvery, contour);
  }

  public RenderOptions withSlices(Integer z, Integer y, Integer x) {
    return new RenderOptions(colormap, opacity, z, y, x, montageEvery, contour);
  }

  public RenderOptions withMontageEvery(Integer every) {
    return new RenderOptions(colormap, opacity, z, y, x, every, contour);
  }

  public RenderOptions withContour(boolean on) {
    return new RenderOptions(colormap, opacity, z, y, x, montageEvery, on);
  }
}
