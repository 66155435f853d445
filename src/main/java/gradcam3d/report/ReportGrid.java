package gradcam3d.report;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import gradcam3d.volume.Layout;
import gradcam3d.volume.Volume;
import java.util.Arrays;

/**
 * The voxel grid a report shows, in NIfTI terms: sizes and spacing along (i, j, k) and the 4x4
 * voxel-to-scanner affine. Report volumes are stored in NIfTI voxel order (i fastest), whatever
 * tensor layout the model used, so the viewer has one indexing rule. A 2D image has k = 1.
 */
public record ReportGrid(int[] dims, double[] spacing, double[][] affine) {
  public ReportGrid {
    if (dims.length != 3 || spacing.length != 3 || affine.length != 4) {
      throw new IllegalArgumentException("a report grid has 3 sizes, 3 spacings and a 4x4 affine");
    }
    for (int a = 0; a < 3; a++) {
      if (dims[a] < 1) {
        throw new Gradcam3dException("cannot report on an empty volume " + Arrays.toString(dims));
      }
      if (!(spacing[a] > 0) || !Double.isFinite(spacing[a])) {
        throw new Gradcam3dException("voxel spacing must be positive, got " + Arrays.toString(spacing));
      }
    }
    dims = dims.clone();
    spacing = spacing.clone();
    affine = Arrays.stream(affine).map(double[]::clone).toArray(double[][]::new);
  }

  /** The grid of a model input: its NIfTI geometry, or unit spacing and identity for .npy. */
  public static ReportGrid of(Volume volume) {
    long[] spatial = volume.spatialShape();
    if (spatial.length < 2 || spatial.length > 3) {
      throw new Gradcam3dException("a report shows 2D or 3D volumes, got spatial shape " + Shapes.format(spatial));
    }
    long[] niftiDims = volume.layout().niftiAxes(spatial);
    double[] niftiSpacing = volume.layout().tensorAxes(volume.spacing()); // the axis mapping is its own inverse
    int[] dims = {1, 1, 1};
    double[] spacing = {1, 1, 1};
    for (int a = 0; a < niftiDims.length; a++) {
      dims[a] = Math.toIntExact(niftiDims[a]);
      spacing[a] = niftiSpacing[a];
    }
    return new ReportGrid(dims, spacing, volume.affine());
  }

  /** Number of voxels. */
  public int voxels() {
    return Math.multiplyExact(Math.multiplyExact(dims[0], dims[1]), dims[2]);
  }

  /** A spatial tensor (no batch or channel axis) of this grid, as NIfTI-order values. */
  public float[] niftiOrder(FloatTensor spatial, Layout layout) {
    long[] expected = layout.tensorAxes(Arrays.stream(dims).limit(spatial.rank()).asLongStream().toArray());
    if (spatial.size() != voxels() || !Arrays.equals(spatial.shape(), expected)) {
      throw new Gradcam3dException("a map of shape " + Shapes.format(spatial.shape())
          + " does not fit the report's volume " + Shapes.format(expected));
    }
    return layout.tensorToNifti(spatial.data(), 1, spatial.shape());
  }

  /** Scanner coordinates (mm) of voxel (i, j, k). */
  public double[] scannerMm(int i, int j, int k) {
    double[] mm = new double[3];
    for (int r = 0; r < 3; r++) {
      mm[r] = affine[r][0] * i + affine[r][1] * j + affine[r][2] * k + affine[r][3];
    }
    return mm;
  }
}
