package gradcam3d.report;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import gradcam3d.volume.Layout;
import gradcam3d.volume.Volume;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The voxel grid a report shows, in NIfTI terms: sizes and spacing along (i, j, k) and the 4x4
 * voxel-to-scanner affine. Report volumes are stored in this grid's voxel order (i fastest),
 * whatever tensor layout the model used, so the viewer has one indexing rule; its axial plane
 * shows i across and j down, coronal i across and k down, sagittal j across and k down, row 0 at
 * the top (for a scan: the display frame of the pictures, so i runs from the patient's right to
 * left, j from anterior to posterior, k from superior to inferior). A 2D image has k = 1.
 *
 * @param storedAxis for each grid axis, the axis of the scan as stored it comes from (the readout
 *     gives the scan's own voxel index)
 * @param storedFlip whether that axis runs backwards
 * @param display the viewer's frame: plane titles, edge letters, note ({@code Display#forViewer})
 * @param sampled null when every voxel of the scan is stored; for a large scan stored in blocks:
 *     "step" (voxels per block along i, j, k), "dims" (the full grid) and "note" (what is stored),
 *     which the page shows and its readout uses to give the scan's own voxel
 */
public record ReportGrid(int[] dims, double[] spacing, double[][] affine, int[] storedAxis, boolean[] storedFlip,
    Map<String, Object> display, Map<String, Object> sampled) {
  /** A grid that stores every voxel. */
  public ReportGrid(int[] dims, double[] spacing, double[][] affine, int[] storedAxis, boolean[] storedFlip,
      Map<String, Object> display) {
    this(dims, spacing, affine, storedAxis, storedFlip, display, null);
  }

  /** A grid in the scan's own voxel order, panels titled by array axis. */
  public ReportGrid(int[] dims, double[] spacing, double[][] affine) {
    this(dims, spacing, affine, new int[] {0, 1, 2}, new boolean[3], null);
  }

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
    storedAxis = storedAxis.clone();
    storedFlip = storedFlip.clone();
    display = display == null ? defaultDisplay(dims[2] == 1) : display;
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

  private static Map<String, Object> defaultDisplay(boolean flat) {
    List<Map<String, Object>> planes = new ArrayList<>();
    for (String t : flat ? List.of("2d image") : List.of("axial", "coronal", "sagittal")) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("title", t);
      p.put("edges", null);
      p.put("normal", null);
      planes.add(p);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("convention", "array order");
    m.put("note", null);
    m.put("planes", planes);
    return m;
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
