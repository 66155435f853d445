package gradcam3d.output;

import gradcam3d.pipeline.LoadedCase;
import gradcam3d.render.Display;
import gradcam3d.render.RenderOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.AxisMap;
import gradcam3d.volume.Layout;
import gradcam3d.volume.Orientation;
import gradcam3d.volume.Volume;
import java.util.Arrays;

/**
 * Where a scan's voxels go in the pictures and the report: one frame for every figure. From the
 * affine, the nearest anatomical axes (as nibabel's {@code as_closest_canonical}), so that axial
 * panels have anterior at the top and the patient's right on the screen's left (radiological;
 * neurological: on the right), coronal and sagittal panels superior at the top, sagittal panels
 * anterior on the left. The arrays are only permuted and flipped, never resampled, so one scene
 * stored RAS, LPS or with permuted axes gives the same figure arrays. An input without geometry
 * keeps array order (figures in tensor Z, Y, X).
 *
 * @param map from the model tensor's spatial axes (its layout's order) to the figure's (Z, Y, X)
 *     (a 2D image: (Y, X))
 * @param display how the figure axes lie in the patient
 * @param affine voxel-to-world of the figure grid in NIfTI order (its i, j, k = figure X, Y, Z),
 *     or null without geometry
 * @param spacing voxel size along the figure axes, or null (1 mm)
 * @param stored for the figure grid's axes in NIfTI order (X, Y, Z), the scan's own NIfTI axis
 *     each comes from and whether it runs backwards (the report's readout gives the scan's voxel)
 */
public record DisplayFrame(AxisMap map, Display display, double[][] affine, double[] spacing, AxisMap stored,
    long[] tensorShape) {

  /** The frame of a loaded case's scan, as the options draw it. */
  public static DisplayFrame of(LoadedCase loaded, Layout layout, RenderOptions o) {
    FloatTensor shown = loaded.scan() != null ? loaded.scan().batch() : loaded.batch();
    return of(loaded.scan(), layout, Arrays.copyOfRange(shown.shape(), 2, shown.rank()), o.neurological(),
        o.npySpacing());
  }

  /**
   * The frame of a volume (null: a batch .npy, array order) of the given tensor spatial shape;
   * {@code npySpacing} (tensor order) for inputs without geometry.
   */
  static DisplayFrame of(Volume volume, Layout layout, long[] tensorShape, boolean neurological, double[] npySpacing) {
    int rank = tensorShape.length;
    AxisMap toZyx = layout == Layout.XYZ ? AxisMap.reversal(rank) : AxisMap.identity(rank);
    if (volume == null || volume.geometry().isEmpty()) {
      return new DisplayFrame(toZyx, Display.withoutGeometry(), null,
          npySpacing == null ? null : reversedIf(layout == Layout.XYZ, npySpacing), AxisMap.identity(rank),
          tensorShape.clone());
    }
    double[][] affine = volume.affine();
    Orientation here = Orientation.of(affine, rank);
    Orientation target = displayOrientation(here, neurological);
    AxisMap nifti = here.to(target);
    long[] niftiShape = layout.niftiAxes(volume.spatialShape());
    double[] niftiSpacing = layout.tensorAxes(volume.spacing()); // the axis mapping is its own inverse
    double[] displaySpacing = new double[rank];
    for (int d = 0; d < rank; d++) {
      displaySpacing[d] = niftiSpacing[nifti.source()[d]];
    }
    AxisMap map = nifti.inTensorOrder(layout);
    if (layout == Layout.XYZ) {
      map = map.then(AxisMap.reversal(rank));
    }
    int[] world = new int[rank];
    int[] toward = new int[rank];
    for (int d = 0; d < rank; d++) {
      world[d] = target.worldAxis()[rank - 1 - d];
      toward[d] = target.toward()[rank - 1 - d];
    }
    Display display = Display.anatomical(world, toward, neurological, Orientation.obliquityDegrees(affine));
    return new DisplayFrame(map, display, nifti.affineAfter(affine, niftiShape), reversedIf(true, displaySpacing), nifti,
        tensorShape.clone());
  }

  /**
   * The display grid's orientation in NIfTI axis order (figure X, Y, Z): X towards the patient's
   * left (radiological: right on the screen's left) or right, Y towards posterior, Z towards
   * inferior. A 2D image keeps the two world axes it spans: axial (R/L, A/P), coronal (R/L, S/I)
   * or sagittal (A/P, S/I, anterior on the left).
   */
  static Orientation displayOrientation(Orientation here, boolean neurological) {
    int lr = neurological ? 1 : -1;
    if (here.rank() == 3) {
      return new Orientation(new int[] {0, 1, 2}, new int[] {lr, -1, -1});
    }
    int[] w = here.worldAxis();
    int missing = 3 - w[0] - w[1];
    return switch (missing) {
      case 2 -> new Orientation(new int[] {0, 1}, new int[] {lr, -1});   // axial
      case 1 -> new Orientation(new int[] {0, 2}, new int[] {lr, -1});   // coronal
      default -> new Orientation(new int[] {1, 2}, new int[] {-1, -1});  // sagittal
    };
  }

  /** A spatial tensor in the model's layout as figure arrays (Z, Y, X). */
  public FloatTensor apply(FloatTensor spatial) {
    return map.apply(spatial);
  }

  /** A figure index (Z, Y, X) as an index of the model tensor's spatial axes (layout order). */
  long[] tensorIndex(long[] figureIndex, long[] tensorShape) {
    return map.inverse().indexAfter(figureIndex, map.shapeAfter(tensorShape));
  }

  /**
   * A slice given along a tensor axis (layout order) as the figure axis it becomes and the index
   * there: {figure axis, index}.
   */
  int[] figureSlice(int tensorAxis, int index, long[] tensorShape) {
    for (int d = 0; d < map.rank(); d++) {
      if (map.source()[d] == tensorAxis) {
        return new int[] {d, map.flip()[d] ? (int) (tensorShape[tensorAxis] - 1 - index) : index};
      }
    }
    throw new IllegalArgumentException("no axis " + tensorAxis);
  }

  /**
   * Options whose --slice indices (z=, y=, x= name the model tensor's axes, in Z, Y, X order) are
   * turned into the figure's axes.
   */
  public RenderOptions slicesInFigureOrder(RenderOptions o, Layout layout) {
    Integer[] given = {o.z(), o.y(), o.x()};
    int rank = tensorShape.length;
    Integer[] figure = new Integer[3];
    for (int a = 3 - rank; a < 3; a++) {
      if (given[a] == null) {
        continue;
      }
      int zyxAxis = a - (3 - rank);
      int tensorAxis = layout == Layout.XYZ ? rank - 1 - zyxAxis : zyxAxis;
      int[] at = figureSlice(tensorAxis, given[a], tensorShape);
      figure[at[0] + (3 - rank)] = at[1];
    }
    return o.withSlices(figure[0], figure[1], figure[2]);
  }

  /** An axial figure slice as an index of the tensor axis it runs along, named as --slice names it ("z=12"). */
  public String storedSlice(int figureZ, Layout layout) {
    int rank = tensorShape.length;
    if (rank < 3) {
      return "the image";
    }
    int tensorAxis = map.source()[0];
    int zyxAxis = layout == Layout.XYZ ? rank - 1 - tensorAxis : tensorAxis;
    long index = map.flip()[0] ? tensorShape[tensorAxis] - 1 - figureZ : figureZ;
    return "zyx".charAt(zyxAxis) + "=" + index;
  }

  private static double[] reversedIf(boolean reverse, double[] values) {
    if (!reverse) {
      return values.clone();
    }
    double[] r = new double[values.length];
    for (int a = 0; a < r.length; a++) {
      r[a] = values[r.length - 1 - a];
    }
    return r;
  }

  @Override
  public String toString() {
    return display.convention() + " " + map + " spacing " + Arrays.toString(spacing);
  }
}
