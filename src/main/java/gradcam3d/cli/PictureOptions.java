package gradcam3d.cli;

import gradcam3d.OptionValueException;
import gradcam3d.output.OutputSettings;
import gradcam3d.pipeline.LoadedCase;
import gradcam3d.render.Colormap;
import gradcam3d.render.ContourRule;
import gradcam3d.render.RenderOptions;
import gradcam3d.volume.Layout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** How the pictures look: the options `explain` and `batch` share. */
final class PictureOptions {
  /** One --slice value: an axis (z, y or x) and a slice index. */
  record SliceIndex(char axis, int index) {}

  @Option(names = "--no-pictures", description = "Do not write overlay.png and montage.png.")
  boolean noPictures;

  @Option(names = "--colormap", defaultValue = "jet", paramLabel = "NAME", converter = Converters.ColormapValue.class,
      description = "Colormap of the pictures: jet, turbo, viridis, inferno, gray (default: ${DEFAULT-VALUE}).")
  Colormap colormap;

  @Option(names = "--opacity", defaultValue = "0.45", paramLabel = "A", converter = Converters.Opacity.class,
      description = "Heatmap opacity in the pictures, 0..1 (default: ${DEFAULT-VALUE}).")
  double opacity;

  @Option(names = "--slice", paramLabel = "AXIS=N", split = ",", converter = Converters.Slice.class,
      description = "Slices of the overlay, e.g. z=10 or z=10,y=20 (default: through the CAM's peak).")
  List<SliceIndex> slices = new ArrayList<>();

  @Option(names = "--montage-every", paramLabel = "N", converter = Converters.Positive.class,
      description = "Montage of every N-th axial slice (default: up to 24 slices where the map is).")
  Integer montageEvery;

  @Option(names = "--contour", defaultValue = "auto", paramLabel = "always|auto|never",
      converter = Converters.ContourRuleValue.class,
      description = "Outline the target region: auto skips it when the region is fragmented or covers "
          + "most of the image and draws it thin and half-transparent otherwise; always draws it "
          + "opaque (default: ${DEFAULT-VALUE}). summary.json says what was done and why.")
  ContourRule contour;

  @Option(names = "--display", defaultValue = "radiological", paramLabel = "radiological|neurological",
      converter = Converters.DisplayConvention.class,
      description = "Pictures and report in anatomical orientation (from the scan's affine): radiological puts the "
          + "patient's right on the screen's left in axial and coronal panels, as ITK-SNAP and 3D Slicer do; "
          + "neurological on the right (default: ${DEFAULT-VALUE}). Inputs without geometry (.npy) keep array order.")
  Converters.Convention display;

  @Option(names = "--no-contour", description = "Same as --contour never.")
  boolean noContour;

  @Option(names = "--figure-size", defaultValue = "2000", paramLabel = "PX",
      converter = Converters.FigureSize.class,
      description = "Longer side of each picture at most about PX pixels (default: ${DEFAULT-VALUE}).")
  int figureSize;

  @Option(names = "--spacing", paramLabel = "MM,MM[,MM]", converter = Converters.Spacing.class,
      description = "Voxel size in mm of a .npy input along its spatial axes, in stored order, e.g. "
          + "3,0.7,0.7 (default: 1 mm; NIfTI files carry their own).")
  VoxelSize spacing;

  /** Voxel size in mm along each spatial axis (a holder: picocli would split a bare array). */
  record VoxelSize(double[] mm) {}

  /** Output settings for a result folder. */
  OutputSettings output(Path out, boolean saveLayerCam, boolean saveTensors) {
    return new OutputSettings(out, saveLayerCam, saveTensors, !noPictures, renderOptions());
  }

  /** These options as text (what batch --resume compares). */
  String describe() {
    if (noPictures) {
      return "none";
    }
    RenderOptions r = renderOptions();
    return "colormap=" + r.colormap().name() + " opacity=" + r.opacity() + " slices=" + r.z() + "," + r.y() + ","
        + r.x() + " montage-every=" + r.montageEvery() + " contour=" + r.contour() + " size=" + r.figureSize()
        + " spacing=" + java.util.Arrays.toString(r.npySpacing());
  }

  RenderOptions renderOptions() {
    Integer z = null;
    Integer y = null;
    Integer x = null;
    for (SliceIndex s : slices) {
      switch (s.axis()) {
        case 'z': z = s.index(); break;
        case 'y': y = s.index(); break;
        default: x = s.index(); break;
      }
    }
    return RenderOptions.defaults().withColormap(colormap).withOpacity(opacity).withSlices(z, y, x)
        .withMontageEvery(montageEvery).withContour(noContour ? ContourRule.NEVER : contour)
        .withFigureSize(figureSize).withNpySpacing(spacing == null ? null : spacing.mm())
        .withNeurological(display != null && display.neurological());
  }

  /**
   * --slice indices inside the loaded input (pictures are drawn in Z, Y, X order); --spacing only
   * for inputs without geometry, one size per spatial axis.
   */
  void checkFits(LoadedCase loaded, Layout layout) {
    if (noPictures) {
      return;
    }
    long[] s = loaded.batch().shape();
    if (spacing != null) {
      if (loaded.volume() != null && loaded.volume().geometry().isPresent()) {
        throw new OptionValueException("--spacing is for .npy inputs; NIfTI, NRRD, MetaImage and DICOM inputs carry their own voxel size");
      }
      if (spacing.mm().length != s.length - 2) {
        throw new OptionValueException("--spacing gives " + spacing.mm().length
            + " voxel sizes but the input has " + (s.length - 2) + " spatial axes");
      }
    }
    checkSlices(loaded, layout);
  }

  /** --slice indices inside the loaded input, also when no pictures are written (compare's grid uses them). */
  void checkSlices(LoadedCase loaded, Layout layout) {
    if (slices.isEmpty()) {
      return;
    }
    long[] s = loaded.batch().shape();
    long[] spatial = java.util.Arrays.copyOfRange(s, 2, s.length);
    long[] zyx = layout.toZyx(spatial);
    String axes = zyx.length == 3 ? "zyx" : "yx";
    for (SliceIndex si : slices) {
      int a = axes.indexOf(si.axis());
      if (a < 0) {
        throw new OptionValueException("--slice " + si.axis() + "=" + si.index() + ": a 2-D input has only y and x");
      }
      if (si.index() >= zyx[a]) {
        throw new OptionValueException("--slice " + si.axis() + "=" + si.index() + " is outside the input: "
            + si.axis() + " must be in 0.." + (zyx[a] - 1));
      }
    }
  }
}
