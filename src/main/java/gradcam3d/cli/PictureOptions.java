package gradcam3d.cli;

import gradcam3d.Gradcam3dException;
import gradcam3d.render.Colormap;
import gradcam3d.render.RenderOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

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
      description = "Montage of every N-th axial slice (default: about 16-24 tiles).")
  Integer montageEvery;

  @Option(names = "--no-contour", description = "Do not outline the target region in the pictures.")
  boolean noContour;

  /** Applies these settings to a job. */
  void configure(ExplainJob job) {
    job.pictures = !noPictures;
    job.render = renderOptions();
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
          .withSlices(z, y, x).withMontageEvery(montageEvery).withContour(!noContour);
    } catch (IllegalArgumentException e) {
      throw new Gradcam3dException(e.getMessage());
    }
  }
}
