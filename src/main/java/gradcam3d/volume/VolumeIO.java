package gradcam3d.volume;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import gradcam3d.volume.formats.DicomSeriesReader;
import gradcam3d.volume.formats.MetaImageReader;
import gradcam3d.volume.formats.NrrdReader;
import gradcam3d.volume.formats.ScanWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Model inputs, target masks and CAM outputs on disk. NIfTI ({@code .nii}, {@code .nii.gz}) maps to
 * the tensor through a {@link Layout}, a 4th NIfTI axis being channels; a {@code .npy} file already
 * holds the tensor, (*S), (C, *S) or (1, C, *S), and has no geometry. NRRD, MetaImage and DICOM
 * series are read as NIfTI images ({@link Scan}: the geometry as a NIfTI header, the data in NIfTI
 * order), so they take the same way; {@link VolumeFormat} tells them apart.
 */
public final class VolumeIO {
  /** The file-name endings of the volumes gradcam3d reads (longest first). */
  public static final List<String> EXTENSIONS = List.of(".nii.gz", ".nii", ".npy", ".nrrd", ".nhdr", ".mha", ".mhd");

  private VolumeIO() {}

  /** Whether a file name ends in one of {@link #EXTENSIONS}. */
  public static boolean isVolumeFile(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return EXTENSIONS.stream().anyMatch(name::endsWith);
  }

  /**
   * One input file as a (C, *S) volume. {@code spatialRank} (2 or 3, the model input's rank minus
   * 2) tells how many axes of a .npy array are spatial and which NIfTI images fit the model.
   */
  public static Volume read(Path file, Layout layout, int spatialRank) {
    if (spatialRank != 2 && spatialRank != 3) {
      throw new IllegalArgumentException("spatial rank must be 2 or 3, not " + spatialRank);
    }
    return fromContents(file, contents(file), layout, spatialRank);
  }

  /** Several files as the channels of one input, in order; they must share the voxel grid. */
  public static Volume read(List<Path> files, Layout layout, int spatialRank) {
    List<Volume> parts = new ArrayList<>();
    for (Path file : files) {
      parts.add(read(file, layout, spatialRank));
    }
    return Volume.stack(parts);
  }

  /**
   * A target mask as a tensor of the input's spatial shape: 1 where the file's value is above 0,
   * else 0. A .npy mask may carry leading axes of size 1.
   */
  public static FloatTensor readMask(Path file, Layout layout, long[] expectedSpatial) {
    Volume mask;
    if (isNpy(file)) {
      FloatTensor array = Npy.read(file);
      long[] shape = array.shape();
      int extra = 0;
      while (shape.length - extra > expectedSpatial.length && shape[extra] == 1) {
        extra++;
      }
      long[] spatial = Shapes.tail(shape, extra);
      mask = Volume.ofTensor(file.toString(), array.reshape(Shapes.concat(new long[] {1}, spatial)),
          layout);
    } else {
      mask = read(file, layout, expectedSpatial.length);
    }
    if (mask.channels() != 1 || !Arrays.equals(mask.spatialShape(), expectedSpatial)) {
      throw new Gradcam3dException("the mask " + file + " has shape "
          + Shapes.format(mask.channels() == 1 ? mask.spatialShape() : mask.tensor().shape())
          + " (" + layout + " tensor order) but the input's spatial shape is "
          + Shapes.format(expectedSpatial) + ".");
    }
    mask.requireFinite();
    float[] values = mask.tensor().data();
    float[] binary = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      binary[i] = values[i] > 0 ? 1 : 0;
    }
    return new FloatTensor(binary, expectedSpatial);
  }

  /**
   * Writes a CAM of the input's spatial shape (tensor order) as a float32 NIfTI in the input file's
   * voxel order and geometry (sform, qform, pixdim, units), so it overlays the input in any viewer.
   * Always spatial only (dim[0] = 3, or 2 for 2D), even for a 4D input. An input without geometry
   * (.npy) gets unit voxels and an identity affine, with axes mapped by the input's layout.
   */
  public static void writeCam(FloatTensor cam, Volume like, Path out) {
    long[] spatial = like.spatialShape();
    if (!Arrays.equals(cam.shape(), spatial)) {
      throw new Gradcam3dException("cannot write the CAM to " + out + ": it has shape "
          + Shapes.format(cam.shape()) + " but the input " + like.source() + " has spatial shape "
          + Shapes.format(spatial) + ".");
    }
    Layout layout = like.layout();
    NiftiHeader header = like.geometry().orElseGet(NiftiHeader::new)
        .withShape(layout.niftiAxes(spatial));
    header.intentCode = 0;
    header.intentP1 = 0;
    header.intentP2 = 0;
    header.intentP3 = 0;
    header.intentName = "";
    header.descrip = "gradcam3d heatmap";
    float[] data = layout.tensorToNifti(cam.data(), 1, spatial);
    if (ScanWriter.writes(out)) {
      ScanWriter.write(data, header, out);
      return;
    }
    new NiftiWriter().write(new NiftiImage(out.toString(), header, data), out);
  }

  /**
   * The name of a map file written for an input of {@code format}: {@code stem} plus .nrrd for
   * NRRD inputs, .mha for MetaImage, .nii.gz for NIfTI and DICOM; null for .npy (no geometry).
   */
  public static String mapName(String stem, VolumeFormat format) {
    return format.mapExtension() == null ? null : stem + format.mapExtension();
  }

  /**
   * Writes a stack of K maps [K, *S] (the input's spatial shape, tensor order) as one 4-D float32
   * NIfTI, the maps along the 4th axis (a 2-D input's maps as (x, y, 1, K)), in the input file's
   * voxel order and geometry as {@link #writeCam} does.
   */
  public static void writeMaps(FloatTensor maps, Volume like, Path out) {
    long[] spatial = like.spatialShape();
    long[] s = maps.shape();
    if (s.length != spatial.length + 1 || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), spatial)) {
      throw new Gradcam3dException("cannot write the maps to " + out + ": they have shape " + Shapes.format(s)
          + " but the input " + like.source() + " has spatial shape " + Shapes.format(spatial) + ".");
    }
    Layout layout = like.layout();
    long[] axes = layout.niftiAxes(spatial);
    long[] dims = new long[4];
    Arrays.fill(dims, 1);
    System.arraycopy(axes, 0, dims, 0, axes.length);
    dims[3] = s[0];
    NiftiHeader header = like.geometry().orElseGet(NiftiHeader::new).withShape(dims);
    header.intentCode = 0;
    header.intentP1 = 0;
    header.intentP2 = 0;
    header.intentP3 = 0;
    header.intentName = "";
    header.descrip = "gradcam3d maps";
    float[] data = layout.tensorToNifti(maps.data(), (int) s[0], spatial);
    new NiftiWriter().write(new NiftiImage(out.toString(), header, data), out);
  }

  /** .npy (true) or an image with geometry (false); any other file is refused. */
  public static boolean isNpy(Path file) {
    return VolumeFormat.of(file) == VolumeFormat.NPY;
  }

  /**
   * One input file as a (C, *S) volume from its contents read beforehand: {@link Npy#read} for a
   * .npy file, {@link NiftiReader#read} for NIfTI (e.g. on another thread while the model loads).
   */
  public static Volume fromContents(Path file, Object contents, Layout layout, int spatialRank) {
    if (spatialRank != 2 && spatialRank != 3) {
      throw new IllegalArgumentException("spatial rank must be 2 or 3, not " + spatialRank);
    }
    if (contents instanceof FloatTensor array) {
      return fromNpy(file, array, layout, spatialRank);
    }
    if (contents instanceof NiftiImage image) {
      return fromNifti(file, image, layout, spatialRank, VolumeFormat.NIFTI, List.of());
    }
    if (contents instanceof Scan scan) {
      return fromNifti(file, scan.image(), layout, spatialRank, scan.format(), scan.warnings());
    }
    throw new IllegalArgumentException("not the contents of a volume file: " + contents);
  }

  /** What {@link #fromContents} takes for this file, read and decoded. */
  public static Object contents(Path file) {
    return contents(file, null);
  }

  /**
   * Same, with the series to take from a DICOM folder holding several ({@code null}: the only
   * one; ignored for other formats).
   */
  public static Object contents(Path file, String dicomSeries) {
    return switch (VolumeFormat.of(file)) {
      case NPY -> Npy.read(file);
      case NIFTI -> NiftiReader.read(file);
      case NRRD -> NrrdReader.read(file);
      case METAIMAGE -> MetaImageReader.read(file);
      case DICOM -> DicomSeriesReader.read(file, dicomSeries);
    };
  }

  private static Volume fromNpy(Path file, FloatTensor array, Layout layout, int spatialRank) {
    long[] shape = array.shape();
    if (shape.length == spatialRank + 2 && shape[0] == 1) {
      shape = Shapes.tail(shape, 1);
    } else if (shape.length == spatialRank) {
      shape = Shapes.concat(new long[] {1}, shape);
    } else if (shape.length != spatialRank + 1) {
      String batch = shape.length == spatialRank + 2
          ? " (a batch of " + shape[0] + "; give one sample at a time)"
          : "";
      throw new Gradcam3dException(file + " holds an array of shape " + Shapes.format(shape) + batch
          + ", but a .npy input for a " + spatialRank + "D model must be (*S), (C, *S) or"
          + " (1, C, *S) with " + spatialRank + " spatial axes.");
    }
    return Volume.ofTensor(file.toString(), array.reshape(shape), layout);
  }

  private static Volume fromNifti(Path file, NiftiImage image, Layout layout, int spatialRank, VolumeFormat format,
      List<String> warnings) {
    long[] shape = image.shape();
    for (int axis = 4; axis < shape.length; axis++) {
      if (shape[axis] != 1) {
        throw new Gradcam3dException(file + " is a " + shape.length + "D image ("
            + image.header().describe() + "); inputs must be 2D, 3D, or 4D with channels on the"
            + " 4th axis.");
      }
    }
    int channels = shape.length >= 4 ? (int) shape[3] : 1;
    long[] spatial = Arrays.copyOf(shape, Math.min(shape.length, 3));
    if (spatialRank == 2 && spatial.length == 3 && spatial[2] == 1) {
      spatial = Arrays.copyOf(spatial, 2); // a single slice stored as 3D
    }
    if (spatial.length != spatialRank) {
      throw new Gradcam3dException(file + " is a " + spatial.length + "D image ("
          + image.header().describe() + ") but the model takes " + spatialRank + "D inputs.");
    }
    float[] data = layout.niftiToTensor(image.data(), channels, spatial);
    long[] tensorShape = Shapes.concat(new long[] {channels}, layout.tensorAxes(spatial));
    return new Volume(file.toString(), new FloatTensor(data, tensorShape), layout, image.header(), format, warnings);
  }
}
