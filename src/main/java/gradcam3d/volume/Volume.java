package gradcam3d.volume;

import gradcam3d.Gradcam3dException;
import gradcam3d.OptionValueException;
import gradcam3d.Setting;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * One model input: the tensor (C, *S) for a single sample, the layout that maps its spatial axes to
 * NIfTI axes, and the NIfTI header it came from (none for {@code .npy}), which carries the voxel
 * grid's geometry back out when the CAM is written.
 */
public final class Volume {
  private static final double AFFINE_TOLERANCE = 1e-4;

  private final String source;
  private final FloatTensor tensor;
  private final Layout layout;
  private final NiftiHeader geometry;
  private final VolumeFormat format;
  private final List<String> warnings;

  Volume(String source, FloatTensor tensor, Layout layout, NiftiHeader geometry) {
    this(source, tensor, layout, geometry, geometry == null ? VolumeFormat.NPY : VolumeFormat.NIFTI, List.of());
  }

  Volume(String source, FloatTensor tensor, Layout layout, NiftiHeader geometry, VolumeFormat format,
      List<String> warnings) {
    if (tensor.rank() < 2) {
      throw new IllegalArgumentException("a volume tensor is (C, *S), got " + tensor);
    }
    this.source = source;
    this.tensor = tensor;
    this.layout = layout;
    this.geometry = geometry;
    this.format = format;
    this.warnings = List.copyOf(warnings);
  }

  /** A volume without geometry (as from .npy): unit spacing, identity affine. */
  public static Volume ofTensor(String source, FloatTensor channelsFirst, Layout layout) {
    return new Volume(source, channelsFirst, layout, null);
  }

  /** The format it was read from (of the first file, for stacked channels): its maps are written in it. */
  public VolumeFormat format() {
    return format;
  }

  /** What the reader noticed but accepted (e.g. uneven DICOM slice spacing), for the console and summary. */
  public List<String> warnings() {
    return warnings;
  }

  /** The file(s) it was read from, for messages. */
  public String source() {
    return source;
  }

  /** (C, *S), one sample without the batch axis. */
  public FloatTensor tensor() {
    return tensor;
  }

  /** (1, C, *S): what the model takes. */
  public FloatTensor batch() {
    return tensor.reshape(Shapes.concat(new long[] {1}, tensor.shape()));
  }

  public Layout layout() {
    return layout;
  }

  public int channels() {
    return (int) tensor.dim(0);
  }

  /** S, in tensor axis order. */
  public long[] spatialShape() {
    return Shapes.tail(tensor.shape(), 1);
  }

  /** The NIfTI header it was read from (a copy); empty for .npy inputs. */
  public Optional<NiftiHeader> geometry() {
    return Optional.ofNullable(geometry).map(NiftiHeader::copy);
  }

  /**
   * NIfTI voxel (i, j, k) to world, by nibabel's rule (see {@link NiftiHeader#affine()}); the
   * identity without geometry. Note (i, j, k) is the NIfTI axis order, not the tensor's.
   */
  public double[][] affine() {
    return geometry != null ? geometry.affine() : new NiftiHeader().affine();
  }

  /** Voxel size along each tensor spatial axis: pixdim, or 1.0 without geometry or when unset. */
  public double[] spacing() {
    int rank = spatialShape().length;
    double[] niftiOrder = new double[rank];
    for (int axis = 0; axis < rank; axis++) {
      double size = geometry == null ? 1 : Math.abs(geometry.pixdim[axis + 1]);
      niftiOrder[axis] = size > 0 && Double.isFinite(size) ? size : 1;
    }
    return layout.tensorAxes(niftiOrder);
  }

  /**
   * The nearest anatomical orientation of the voxel axes (NIfTI order i, j, k), from the affine;
   * empty without geometry (.npy), whose axes mean nothing anatomically.
   */
  public Optional<Orientation> orientation() {
    return geometry == null ? Optional.empty() : Optional.of(Orientation.of(affine(), spatialShape().length));
  }

  /**
   * The same voxels with axes permuted and flipped so that they run as {@code target} says
   * (MONAI's Orientationd: no resampling), the affine changed so every voxel keeps its world
   * position; the map from this grid to the new one is {@link #axisMapTo}.
   */
  public Volume reoriented(Orientation target) {
    return mapped(axisMapTo(target));
  }

  /**
   * The same voxels with axes permuted and flipped by {@code map} (NIfTI axis order), the affine
   * changed so every voxel keeps its world position.
   */
  public Volume mapped(AxisMap map) {
    if (map.isIdentity()) {
      return this;
    }
    long[] nifti = layout.niftiAxes(spatialShape());
    FloatTensor moved = map.inTensorOrder(layout).apply(tensor);
    NiftiHeader header = geometry.withShape(geometry.shape().length > nifti.length
        ? niftiShapeWithChannels(map.shapeAfter(nifti)) : map.shapeAfter(nifti))
        .withAffine(map.affineAfter(affine(), nifti));
    return new Volume(source, moved, layout, header, format, warnings);
  }

  /**
   * Other voxels on another grid: {@code channelsFirst} (C, *S') on the grid of {@code affine}
   * (NIfTI order), this volume's source, layout, format and the rest of its header kept.
   */
  public Volume onGrid(FloatTensor channelsFirst, double[][] affine) {
    long[] nifti = layout.niftiAxes(Shapes.tail(channelsFirst.shape(), 1));
    NiftiHeader header = geometry.withShape(geometry.shape().length > nifti.length
        ? niftiShapeWithChannels(nifti) : nifti).withAffine(affine);
    return new Volume(source, channelsFirst, layout, header, format, warnings);
  }

  /** How this grid's voxel axes (NIfTI order) map onto {@code target}'s orientation; needs geometry. */
  public AxisMap axisMapTo(Orientation target) {
    Orientation here = orientation().orElseThrow(() -> new OptionValueException(source
        + " has no geometry (a .npy file): its axes cannot be oriented as " + target.codes()
        + "; give a NIfTI file or leave out " + Setting.ORIENT.label()));
    return here.to(target);
  }

  private long[] niftiShapeWithChannels(long[] spatial) {
    long[] shape = geometry.shape().clone();
    System.arraycopy(spatial, 0, shape, 0, spatial.length);
    return shape;
  }

  /** The same voxel grid and geometry holding other values, e.g. after normalisation. */
  public Volume withTensor(FloatTensor channelsFirst) {
    if (!Arrays.equals(Shapes.tail(channelsFirst.shape(), 1), spatialShape())) {
      throw new IllegalArgumentException("spatial shape " + Shapes.format(channelsFirst.shape())
          + " differs from " + Shapes.format(spatialShape()));
    }
    return new Volume(source, channelsFirst, layout, geometry, format, warnings);
  }

  /** Refuses NaN and infinite values, which would poison every gradient computed from them. */
  public Volume requireFinite() {
    int index = tensor.firstNonFinite();
    if (index >= 0) {
      throw new Gradcam3dException(FloatTensor.nonFiniteMessage(source, position(index), tensor.data()[index]));
    }
    return this;
  }

  /** A flat tensor index as the user's file knows it: NIfTI voxel i,j,k, or the .npy index. */
  private String position(int index) {
    long[] tensorIndex = Shapes.unravel(index, tensor.shape());
    if (geometry == null) {
      return "index " + Arrays.toString(tensorIndex);
    }
    StringJoiner voxel = new StringJoiner(",", "voxel ", "");
    for (long v : layout.niftiAxes(Shapes.tail(tensorIndex, 1))) {
      voxel.add(Long.toString(v));
    }
    return voxel + (channels() > 1 ? " of channel " + tensorIndex[0] : "");
  }

  /**
   * The inputs as channels of one volume, in order. They must share the voxel grid: the same
   * spatial shape and, where both have geometry, affines equal within 1e-4.
   */
  public static Volume stack(List<Volume> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("nothing to stack");
    }
    Volume first = parts.get(0);
    Volume firstWithGeometry = null;
    StringJoiner sources = new StringJoiner(" + ");
    List<FloatTensor> tensors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (Volume part : parts) {
      warnings.addAll(part.warnings);
      if (part.layout != first.layout) {
        throw new IllegalArgumentException("layouts differ: " + first.layout + ", " + part.layout);
      }
      if (!Arrays.equals(part.spatialShape(), first.spatialShape())) {
        throw gridMismatch(first, part, "their shapes differ");
      }
      if (part.geometry != null) {
        if (firstWithGeometry == null) {
          firstWithGeometry = part;
        }
        double difference = maxDifference(firstWithGeometry.affine(), part.affine());
        if (difference > AFFINE_TOLERANCE) {
          throw gridMismatch(
              firstWithGeometry, part, "their affines differ by up to " + difference);
        }
      }
      sources.add(part.source);
      tensors.add(part.tensor);
    }
    NiftiHeader geometry = firstWithGeometry == null ? null : firstWithGeometry.geometry;
    return new Volume(sources.toString(), concatChannels(tensors), first.layout, geometry, first.format, warnings);
  }

  private static Gradcam3dException gridMismatch(Volume a, Volume b, String why) {
    return new Gradcam3dException("cannot use " + a.source + " (shape "
        + Shapes.format(a.tensor.shape()) + ") and " + b.source + " (shape "
        + Shapes.format(b.tensor.shape()) + ") as channels of one input: " + why + ".");
  }

  private static double maxDifference(double[][] a, double[][] b) {
    double max = 0;
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 4; c++) {
        max = Math.max(max, Math.abs(a[r][c] - b[r][c]));
      }
    }
    return max;
  }

  private static FloatTensor concatChannels(List<FloatTensor> tensors) {
    if (tensors.size() == 1) {
      return tensors.get(0); // one file: its channels as they are, not copied
    }
    long channels = 0;
    long size = 0;
    for (FloatTensor t : tensors) {
      channels += t.dim(0);
      size += t.size();
    }
    float[] data = new float[Math.toIntExact(size)];
    int offset = 0;
    for (FloatTensor t : tensors) {
      System.arraycopy(t.data(), 0, data, offset, t.size());
      offset += t.size();
    }
    long[] shape = tensors.get(0).shape();
    shape[0] = channels;
    return new FloatTensor(data, shape);
  }
}
