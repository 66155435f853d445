package gradcam3d.render;

import java.nio.file.Path;

/**
 * What {@link Figures#writeAll} wrote.
 *
 * @param slices the point the overlay panels pass through
 * @param overlay path of overlay.png
 * @param montage the montage's slices, or null for a 2D input
 * @param montagePng path of montage.png, or null for a 2D input
 */
public record RenderedFigures(SlicePoint slices, Path overlay, MontagePlan montage,
    Path montagePng) {}
