package gradcam3d.cli;

import gradcam3d.Gradcam3dException;
import gradcam3d.render.Colormap;
import gradcam3d.render.ContourRule;
import gradcam3d.render.RenderOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** How the pictures look: the options `explain` and `batch` share. */
final class PictureOptions {
  @Option(names = "--no-pictures", description = "Do not write overlay.png and montage.png.")
  boolean noPictures;

  @Option(names = "--colormap", defaultValue = "jet", paramLabel = "NAME",
      description = "Colormap of the pictures: jet, turbo, viridis, inferno, gray (default: ${DEFAULT-VALUE}).")
  String colormap;

  @Option(names = "--opacity", defaultValue = "0.45", paramLabel = "A",
      description = "Heatmap opacity in the pictures, 0..1 (default: ${DEFAULT-VALUE}).")
  double opacity;

  @Option(names = "--slice", paramLabel = "AXIS=N", split = ",",
      description = "Slices of the overlay, e.g. z=10 or z=10,y=20 (default: through the CAM's peak).")
  List<String> slices = new ArrayList<>();

  @Option(names = "--montage-every", paramLabel = "N",
      description = "Montage of every N-th axial slice (default: up to 24 slices where the map is).")
  Integer montageEvery;

  @Option(names = "--contour", defaultValue = "auto", paramLabel = "always|auto|never",
      converter = ContourRuleConverter.class,
      description = "Outline the target region: auto skips it when the region is fragmented or covers "
          + "most of the image and draws it thin and half-transparent otherwise; always draws it "
          + "opaque (default: ${DEFAULT-VALUE}). summary.json says what was done and why.")
  ContourRule contour;

  @Option(names = "--no-contour", description = "Same as --contour never.")
  boolean noContour;

  @Option(names = "--figure-size", defaultValue = "2000", paramLabel = "PX",
      converter = FigureSizeConverter.class,
      description = "Longer side of each picture at most about PX pixels (default: ${DEFAULT-VALUE}).")
  int figureSize;

  @Option(names = "--spacing", paramLabel = "MM,MM[,MM]", converter = SpacingConverter.class,
      description = "Voxel size in mm of a .npy input along its spatial axes, in stored order, e.g. "
          + "3,0.7,0.7 (default: 1 mm; NIfTI files carry their own).")
  VoxelSize spacing;

  /** Applies these settings to a job. */
  void configure(ExplainJob job) {
    job.pictures = !noPictures;
    job.render = renderOptions();
    job.npySpacing = spacing == null ? null : spacing.mm().clone();
  }

  RenderOptions renderOptions() {
    Integer z = null;
    Integer y = null;
    Integer x = null;
    for (String s : slices) {
      String[] kv = s.split("=");
      if (kv.length != 2) {
        throw new Gradcam3dException("--slice '" + s + "' must look like z=10");
      }
      int v;
      try {
        v = Integer.parseInt(kv[1].trim());
      } catch (NumberFormatException e) {
        throw new Gradcam3dException("--slice '" + s + "' needs an integer slice index");
      }
      switch (kv[0].trim().toLowerCase(Locale.ROOT)) {
        case "z": z = v; break;
        case "y": y = v; break;
        case "x": x = v; break;
        default: throw new Gradcam3dException("--slice axis must be z, y or x, not '" + kv[0] + "'");
      }
    }
    try {
      return RenderOptions.defaults().withColormap(Colormap.byName(colormap)).withOpacity(opacity)
          .withSlices(z, y, x).withMontageEvery(montageEvery)
          .withContour(noContour ? ContourRule.NEVER : contour).withFigureSize(figureSize);
    } catch (IllegalArgumentException e) {
      throw new Gradcam3dException(e.getMessage());
    }
  }

  static final class ContourRuleConverter implements ITypeConverter<ContourRule> {
    @Override
    public ContourRule convert(String value) {
      try {
        return ContourRule.byName(value);
      } catch (Gradcam3dException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  static final class FigureSizeConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      int px;
      try {
        px = Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw new TypeConversionException("'" + value + "' is not a whole number of pixels.");
      }
      if (px < RenderOptions.MIN_FIGURE_SIZE || px > RenderOptions.MAX_FIGURE_SIZE) {
        throw new TypeConversionException("the figure size must be " + RenderOptions.MIN_FIGURE_SIZE
            + " to " + RenderOptions.MAX_FIGURE_SIZE + " pixels, got " + px + ".");
      }
      return px;
    }
  }

  /** Voxel size in mm along each spatial axis (a holder: picocli would split a bare array). */
  record VoxelSize(double[] mm) {}

  static final class SpacingConverter implements ITypeConverter<VoxelSize> {
    @Override
    public VoxelSize convert(String value) {
      String[] parts = value.split(",");
      if (parts.length < 2 || parts.length > 3) {
        throw new TypeConversionException("'" + value + "' must give 2 or 3 voxel sizes in mm, "
            + "e.g. 3,0.7,0.7.");
      }
      double[] mm = new double[parts.length];
      for (int i = 0; i < parts.length; i++) {
        try {
          mm[i] = Double.parseDouble(parts[i].trim());
        } catch (NumberFormatException e) {
          mm[i] = Double.NaN;
        }
        if (!(mm[i] > 0) || Double.isInfinite(mm[i])) {
          throw new TypeConversionException("'" + value + "': voxel sizes must be positive numbers "
              + "of mm, e.g. 3,0.7,0.7.");
        }
      }
      return new VoxelSize(mm);
    }
  }
}
