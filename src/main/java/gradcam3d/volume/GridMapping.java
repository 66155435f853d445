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
 * MONAI inverts it for a map (N-linear, zeros beyond the model grid) and nearest for masks. nnU-Net's
 * steps go back as nnU-Net maps its predictions back: values resampled with the plans' probability
 * orders (linear, a coarse axis nearest), pasted into the crop's box (zeros outside), transposed
 * back; labels nearest.
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
  private sealed interface Applied permits Moved, Resampled, Cropped, Zoomed {}

  /** A reorientation: the map in tensor order and the spatial shape before it. */
  private record Moved(AxisMap map, long[] shapeBefore) implements Applied {}

  /** A resampling from grid (inAffine, inNifti) to (outAffine, outNifti), NIfTI order. */
  private record Resampled(double[][] inAffine, long[] inNifti, double[][] outAffine, long[] outNifti, Layout layout)
      implements Applied {}

  /** A crop to a box of a grid of spatial shape {@code shapeBefore} (tensor order). */
  private record Cropped(NonzeroCrop box, long[] shapeBefore) implements Applied {}

  /**
   * nnU-Net's resampling from {@code before} (spacing {@code spacingBefore}) to {@code after}
   * (spacing {@code spacingAfter}), shapes and spacings in tensor order; {@code back}: the orders
   * values go back with.
   */
  private record Zoomed(long[] before, long[] after, double[] spacingBefore, double[] spacingAfter,
      NnunetResampling.Orders back) implements Applied {}

  private static final NnunetResampling.Orders NEAREST = new NnunetResampling.Orders(0, 0, false);

  private final Volume scan;
  private final Volume model;
  private final List<Applied> steps;
  private final List<Map<String, Object>> record;
  private final List<Normalization.Linear> intensity;

  private GridMapping(Volume scan, Volume model, List<Applied> steps, List<Map<String, Object>> record,
      List<Normalization.Linear> intensity) {
    this.scan = scan;
    this.model = model;
    this.steps = List.copyOf(steps);
    this.record = List.copyOf(record);
    this.intensity = intensity == null ? null : List.copyOf(intensity);
  }

  /** The identity: the model sees the scan's own grid. */
  public static GridMapping identity(Volume scan) {
    return new GridMapping(scan, scan, List.of(), List.of(), null);
  }

  static GridMapping of(Volume scan, GridChain chain) {
    Volume v = scan;
    List<Applied> steps = new ArrayList<>();
    List<Map<String, Object>> record = new ArrayList<>();
    List<Normalization.Linear> intensity = null;
    // nnU-Net's spacing, tensor order: the scan's voxel sizes, permuted by the transpose, then the target
    double[] spacing = null;
    // a normalisation fitted but not yet applied: the resampling right after it reads through it
    Normalization.Pointwise pending = null;
    List<GridChain.Step> all = chain.steps();
    for (int index = 0; index < all.size(); index++) {
      GridChain.Step step = all.get(index);
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
        spacing = null;
      } else if (step instanceof GridChain.Transpose t) {
        requireGeometry(v, "transposed as the nnU-Net plans say");
        if (t.axes().length != v.spatialShape().length) {
          throw new OptionValueException("the nnU-Net plans' transpose_forward has " + t.axes().length
              + " axes but the scan has " + v.spatialShape().length);
        }
        spacing = spacing == null ? v.spacing() : spacing;
        AxisMap inTensorOrder = new AxisMap(t.axes(), new boolean[t.axes().length]);
        if (!inTensorOrder.isIdentity()) {
          // a tensor-order map is the NIfTI-order one read backwards for zyx: the same conversion both ways
          steps.add(new Moved(inTensorOrder, v.spatialShape()));
          v = v.mapped(inTensorOrder.inTensorOrder(v.layout()));
          double[] permuted = new double[spacing.length];
          for (int d = 0; d < permuted.length; d++) {
            permuted[d] = spacing[t.axes()[d]];
          }
          spacing = permuted;
        }
      } else if (step instanceof GridChain.CropToNonzero) {
        requireGeometry(v, "cropped to its nonzero region");
        spacing = spacing == null ? v.spacing() : spacing;
        NonzeroCrop box = NonzeroCrop.of(v.tensor());
        r.put("box_start", box.start());
        r.put("box_end", box.end());
        if (!box.isWhole(v.spatialShape())) {
          steps.add(new Cropped(box, v.spatialShape()));
          v = v.onGrid(box.crop(v.tensor()), translated(v.affine(), v.layout().niftiAxes(box.start())));
        }
      } else if (step instanceof GridChain.Normalize n) {
        Normalization norm = n.normalization();
        boolean[] mask = norm.usesMask() ? NonzeroCrop.filledMask(v.tensor()) : null;
        intensity = norm.fitted(v.tensor(), mask);
        if (index + 1 < all.size() && all.get(index + 1) instanceof GridChain.NnunetResample) {
          // nnU-Net normalises before resampling: read through it, holding no normalised copy of the scan
          pending = norm.pointwise(intensity, mask);
          r.put("applied", "while resampling");
        } else {
          v = v.withTensor(norm.apply(v.tensor(), intensity, mask));
        }
      } else if (step instanceof GridChain.NnunetResample z) {
        requireGeometry(v, "resampled to the nnU-Net plans' spacing");
        long[] before = v.spatialShape();
        if (before.length != 3 || z.spacing().length != 3) {
          throw new OptionValueException("nnU-Net's 3D configurations resample 3D scans; " + v.source() + " has "
              + before.length + " spatial axes");
        }
        spacing = spacing == null ? v.spacing() : spacing;
        long[] after = NnunetResampling.newShape(before, spacing, z.spacing());
        long voxels = 1;
        for (long d : after) {
          if (d < 1) {
            throw new Gradcam3dException("resampling " + v.source() + " to the nnU-Net plans' spacing "
                + java.util.Arrays.toString(z.spacing()) + " would leave an axis without voxels");
          }
          voxels = Math.multiplyExact(voxels, d);
        }
        if (voxels > NiftiReader.MAX_VOXELS / Math.max(1, v.channels())) {
          throw new Gradcam3dException("resampling " + v.source() + " to " + java.util.Arrays.toString(z.spacing())
              + " mm would make " + voxels + " voxels per channel, more than one array holds");
        }
        r.put("from_spacing", spacing.clone());
        r.put("separate_z_axis", NnunetResampling.separateAxis(z.data().forceSeparateZ(), spacing, z.spacing()));
        r.put("back_separate_z_axis", NnunetResampling.separateAxis(z.back().forceSeparateZ(), z.spacing(), spacing));
        FloatTensor moved = NnunetResampling.resample(v.tensor(), after, spacing, z.spacing(), z.data(), pending);
        pending = null;
        steps.add(new Zoomed(before, after, spacing.clone(), z.spacing().clone(), z.back()));
        v = v.onGrid(moved, zoomed(v.affine(), v.layout().niftiAxes(before), v.layout().niftiAxes(after)));
        spacing = z.spacing().clone();
      }
      r.put("shape_after", v.spatialShape());
      r.put("ms", (System.nanoTime() - start) / 1e6);
      record.add(r);
    }
    return new GridMapping(scan, v, steps, record, intensity);
  }

  private static void requireGeometry(Volume v, String what) {
    if (v.geometry().isEmpty()) {
      throw new OptionValueException(v.source() + " has no geometry (a .npy file): it cannot be " + what
          + "; give a NIfTI, NRRD, MetaImage or DICOM scan");
    }
  }

  /** The affine of a grid starting at voxel {@code start} (NIfTI order) of this one. */
  private static double[][] translated(double[][] affine, long[] start) {
    double[][] out = new double[4][];
    for (int r = 0; r < 4; r++) {
      out[r] = affine[r].clone();
    }
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < start.length; c++) {
        out[r][3] += affine[r][c] * start[c];
      }
    }
    return out;
  }

  /**
   * The affine of nnU-Net's resampled grid (NIfTI order): new voxel o lies at old coordinate
   * (o + 0.5) * before / after - 0.5 along each axis (scipy's grid_mode).
   */
  private static double[][] zoomed(double[][] affine, long[] before, long[] after) {
    double[][] m = new double[4][4];
    for (int a = 0; a < before.length; a++) {
      double s = before[a] / (double) after[a];
      m[a][a] = s;
      m[a][3] = 0.5 * s - 0.5;
    }
    for (int a = before.length; a < 3; a++) {
      m[a][a] = 1;
    }
    m[3][3] = 1;
    return Resampler.multiply(affine, m);
  }

  /**
   * The parameters of the intensity normalisation a chain step applied (nnU-Net's), per channel;
   * null when the chain normalised nothing (the pipeline's normalisation follows it).
   */
  public List<Normalization.Linear> intensity() {
    return intensity;
  }

  /** The scan as read (its own grid, intensities as stored). */
  public Volume scan() {
    return scan;
  }

  /** The same voxels on the model's grid (normalised only when a chain step did, {@link #intensity}). */
  public Volume model() {
    return model;
  }

  public boolean isIdentity() {
    return steps.isEmpty();
  }

  /** Whether every step moves voxels exactly (no resampling). */
  public boolean exact() {
    return steps.stream().allMatch(s -> s instanceof Moved || s instanceof Cropped);
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
      } else if (a instanceof Cropped c) {
        t = c.box().paste(t, c.shapeBefore());
      } else if (a instanceof Zoomed z) {
        t = zoom(t, z.before(), z.spacingAfter(), z.spacingBefore(), kind == Kind.LABELS ? NEAREST : z.back());
      }
    }
    return t;
  }

  /** Any leading axes of {@code t} (spatial axes last) as nnU-Net's channels, resampled to {@code shape}. */
  private static FloatTensor zoom(FloatTensor t, long[] shape, double[] current, double[] next,
      NnunetResampling.Orders orders) {
    long[] s = t.shape();
    int lead = s.length - shape.length;
    long channels = gradcam3d.tensor.Shapes.numel(java.util.Arrays.copyOf(s, lead));
    FloatTensor asChannels = t.reshape(gradcam3d.tensor.Shapes.concat(new long[] {channels},
        java.util.Arrays.copyOfRange(s, lead, s.length)));
    FloatTensor moved = NnunetResampling.resample(asChannels, shape, current, next, orders);
    return moved.reshape(gradcam3d.tensor.Shapes.concat(java.util.Arrays.copyOf(s, lead), shape));
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
      } else if (a instanceof Cropped c) {
        t = c.box().crop(t);
      } else if (a instanceof Zoomed z) {
        t = zoom(t, z.after(), z.spacingBefore(), z.spacingAfter(), NEAREST);
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
      } else if (a instanceof Cropped c) {
        index = c.box().indexInBox(index);
      } else if (a instanceof Zoomed z) {
        long[] out = new long[index.length];
        for (int d = 0; d < index.length; d++) {
          // scipy's grid_mode: old coordinate c = (o + 0.5) * before / after - 0.5, solved for o
          double o = (index[d] + 0.5) * z.after()[d] / (double) z.before()[d] - 0.5;
          out[d] = Math.max(0, Math.min(z.after()[d] - 1, Math.round(o)));
        }
        index = out;
      }
    }
    return index;
  }

  /** What summary.json records: each step with what it did and how long it took. */
  public List<Map<String, Object>> describe() {
    return record;
  }
}
