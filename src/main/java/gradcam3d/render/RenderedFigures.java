package gradcam3d.render;

import java.nio.file.Path;

/**
 * What {@link Figures#writeAll} wrote.
 *
 * @param slices the point the overlay panels pass through
 * @param overlay path of overlay.png
 * @param montage the montage's slices, or null for a 2D input
 * @param montagePng path of montage.png, or null for a 2D input
 * @param contour whether the target region was outlined and why (for summary.json)
 */
public record RenderedFigures(SlicePoint slices, Path overlay, MontagePlan montage,
    Path montagePng, ContourDecision contour) {}
