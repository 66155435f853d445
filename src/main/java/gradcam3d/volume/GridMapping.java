package gradcam3d.volume;

import gradcam3d.Gradcam3dException;
import gradcam3d.OptionValueException;
import gradcam3d.Setting;
import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link GridChain} applied to one scan: the scan's grid, the model's grid and how arrays and
 * indices cross between them. Tensors are in the volume's layout order with the spatial axes last
 * ((C, *S), (B, *S), (*S)). Reorientation moves voxels exactly, both ways; resampling goes back as
 * MONAI inverts it for a map (N-linear, zeros beyond the model grid) and nearest for masks.
 */
public final class GridMapping {
  /** What is being moved, which decides the interpolation. */
  public enum Kind {
    /** Values that vary smoothly (maps, attributions, logits): N-linear. */
    VALUES,
    /** Labels and regions: nearest voxel. */
    LABELS
  }

  /** One applied step. */
  private sealed interface Applied permits Moved, Resampled {}

  /** A reorientation: the map in tensor order and the spatial shape before it. */
  private record Moved(AxisMap map, long[] shapeBefore) implements Applied {}

  /** A resampling from grid (inAffine, inNifti) to (outAffine, outNifti), NIfTI order. */
  private record Resampled(double[][] inAffine, long[] inNifti, double[][] outAffine, long[] outNifti, Layout layout)
      implements Applied {}

  private final Volume scan;
  private final Volume model;
  private final List<Applied> steps;
  private final List<Map<String, Object>> record;

  private GridMapping(Volume scan, Volume model, List<Applied> steps, List<Map<String, Object>> record) {
    this.scan = scan;
    this.model = model;
    this.steps = List.copyOf(steps);
    this.record = List.copyOf(record);
  }

  /** The identity: the model sees the scan's own grid. */
  public static GridMapping identity(Volume scan) {
    return new GridMapping(scan, scan, List.of(), List.of());
  }

  static GridMapping of(Volume scan, GridChain chain) {
    Volume v = scan;
    List<Applied> steps = new ArrayList<>();
    List<Map<String, Object>> record = new ArrayList<>();
    for (GridChain.Step step : chain.steps()) {
      Map<String, Object> r = new LinkedHashMap<>(step.describe());
      long start = System.nanoTime();
      if (step instanceof GridChain.Orient o) {
        Orientation before = v.orientation().orElse(null);
        AxisMap map = v.axisMapTo(o.codes());
        steps.add(new Moved(map.inTensorOrder(v.layout()), v.spatialShape()));
        v = v.reoriented(o.codes());
        r.put("from", before == null ? null : before.codes());
      } else if (step instanceof GridChain.Resample s) {
        if (v.geometry().isEmpty()) {
          throw new OptionValueException(v.source() + " has no geometry (a .npy file): it cannot be resampled to mm;"
              + " give a NIfTI, NRRD, MetaImage or DICOM scan or leave out " + Setting.RESAMPLE.label());
        }
        long[] nifti = v.layout().niftiAxes(v.spatialShape());
        if (nifti.length != s.pixdim().length) {
          throw new OptionValueException(Setting.RESAMPLE, Setting.RESAMPLE.label() + " gives " + s.pixdim().length
              + " voxel sizes but the scan has "
              + nifti.length + " axes");
        }
        SpacingGeometry g = SpacingGeometry.of(v.affine(), nifti, s.pixdim());
        long voxels = 1;
        for (long d : g.shape()) {
          voxels = Math.multiplyExact(voxels, d);
        }
        if (voxels > NiftiReader.MAX_VOXELS / Math.max(1, v.channels())) {
          throw new Gradcam3dException("resampling " + v.source() + " to " + java.util.Arrays.toString(s.pixdim())
              + " mm would make " + voxels + " voxels per channel, more than one array holds");
        }
        FloatTensor moved = Resampler.resample(v.tensor(), v.layout(), v.affine(), g.affine(), g.shape(),
            Resampler.Mode.LINEAR, Resampler.Padding.BORDER);
        steps.add(new Resampled(v.affine(), nifti, g.affine(), g.shape(), v.layout()));
        v = v.onGrid(moved, g.affine());
      }
      r.put("shape_after", v.spatialShape());
      r.put("ms", (System.nanoTime() - start) / 1e6);
      record.add(r);
    }
    return new GridMapping(scan, v, steps, record);
  }

  /** The scan as read (its own grid, intensities as stored). */
  public Volume scan() {
    return scan;
  }

  /** The same voxels on the model's grid (not yet normalised). */
  public Volume model() {
    return model;
  }

  public boolean isIdentity() {
    return steps.isEmpty();
  }

  /** Whether every step moves voxels exactly (no resampling). */
  public boolean exact() {
    return steps.stream().allMatch(s -> s instanceof Moved);
  }

  /** A map on the model grid (spatial axes last, tensor order) on the scan's grid. */
  public FloatTensor toScan(FloatTensor onModelGrid) {
    return toScan(onModelGrid, Kind.VALUES);
  }

  /**
   * A tensor on the model grid on the scan's grid: reorientations undone exactly, resampling as
   * MONAI inverts it (values N-linear, labels nearest; zeros beyond the model grid).
   */
  public FloatTensor toScan(FloatTensor onModelGrid, Kind kind) {
    FloatTensor t = onModelGrid;
    for (int i = steps.size() - 1; i >= 0; i--) {
      Applied a = steps.get(i);
      if (a instanceof Moved m) {
        t = m.map().inverse().apply(t);
      } else if (a instanceof Resampled r) {
        t = Resampler.resample(t, r.layout(), r.outAffine(), r.inAffine(), r.inNifti(),
            kind == Kind.LABELS ? Resampler.Mode.NEAREST : Resampler.Mode.LINEAR, Resampler.Padding.ZEROS);
      }
    }
    return t;
  }

  /** A mask or label on the scan's grid on the model's grid (nearest voxel, zeros beyond the scan). */
  public FloatTensor toModel(FloatTensor onScanGrid) {
    FloatTensor t = onScanGrid;
    for (Applied a : steps) {
      if (a instanceof Moved m) {
        t = m.map().apply(t);
      } else if (a instanceof Resampled r) {
        t = Resampler.resample(t, r.layout(), r.inAffine(), r.outAffine(), r.outNifti(), Resampler.Mode.NEAREST,
            Resampler.Padding.ZEROS);
      }
    }
    return t;
  }

  /** A voxel of the scan (tensor-order spatial index) as the nearest voxel of the model grid. */
  public long[] indexToModel(long[] scanIndex) {
    long[] index = scanIndex.clone();
    for (Applied a : steps) {
      if (a instanceof Moved m) {
        index = m.map().indexAfter(index, m.shapeBefore());
      } else if (a instanceof Resampled r) {
        long[] nifti = r.layout().niftiAxes(index);
        double[][] toOut = Resampler.multiply(Resampler.invert(r.outAffine()), r.inAffine());
        long[] out = new long[nifti.length];
        for (int row = 0; row < nifti.length; row++) {
          double v = toOut[row][3];
          for (int c = 0; c < nifti.length; c++) {
            v += toOut[row][c] * nifti[c];
          }
          out[row] = Math.max(0, Math.min(r.outNifti()[row] - 1, Math.round(v)));
        }
        index = r.layout().tensorAxes(out);
      }
    }
    return index;
  }

  /** What summary.json records: each step with what it did and how long it took. */
  public List<Map<String, Object>> describe() {
    return record;
  }
}
