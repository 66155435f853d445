package gradcam3d.volume.formats;

import gradcam3d.Gradcam3dException;
import gradcam3d.InputFiles;
import gradcam3d.OptionValueException;
import gradcam3d.Setting;
import gradcam3d.volume.NiftiHeader;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.NiftiReader;
import gradcam3d.volume.Scan;
import gradcam3d.volume.VolumeFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Stream;

/**
 * Reads one CT or MR series of single-frame DICOM files as a volume: a folder of files (or one file
 * of it, standing for its series). Slices are ordered by ImagePositionPatient projected on the
 * normal of ImageOrientationPatient, never by file name or InstanceNumber; the slice step comes
 * from the positions (uneven steps, or a SliceThickness that differs, are accepted with a
 * warning); PixelSpacing is (row spacing, column spacing); stored values are masked to BitsStored,
 * sign-extended when PixelRepresentation is 1, and rescaled by RescaleSlope/RescaleIntercept (HU
 * for CT). The geometry, in DICOM's LPS patient space, becomes the RAS affine of a NIfTI header
 * with i along a row (columns), j down the rows and k through the sorted slices.
 */
public final class DicomSeriesReader {
  /** A file larger than this is not a single-frame slice. */
  private static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;
  /** Relative tolerance of slice spacing (uneven steps, SliceThickness) before a warning. */
  private static final double SPACING_TOLERANCE = 0.01;

  private DicomSeriesReader() {}

  /** What one file tells about its slice, its pixel data left in the file. */
  private record Slice(Path file, DicomFile dicom, String series) {}

  /**
   * The series in {@code path} (a folder, or a file of it): {@code seriesUid} chooses one when the
   * folder holds several (null: the only one, or the given file's).
   */
  public static Scan read(Path path, String seriesUid) {
    Path folder;
    Path chosenFile = null;
    if (Files.isDirectory(path)) {
      folder = path;
    } else {
      InputFiles.requireRegularFile(path, "file");
      chosenFile = path;
      folder = path.toAbsolutePath().getParent();
    }
    Map<String, List<Slice>> series = new LinkedHashMap<>();
    int others = 0;
    for (Path file : files(folder)) {
      if (!VolumeFormat.isDicomFile(file)) {
        if (file.equals(chosenFile)) {
          throw new Gradcam3dException(file + " is not a DICOM Part 10 file (no 'DICM' after the 128-byte"
              + " preamble).");
        }
        continue;
      }
      DicomFile d = DicomFile.parse(bytes(file), file.toString());
      if (d.pixelOffset < 0 && !d.encapsulated) {
        others++; // a structured report, presentation state, DICOMDIR...: not a slice
        continue;
      }
      String uid = d.text(DicomFile.SERIES_UID);
      uid = uid == null ? "" : uid;
      series.computeIfAbsent(uid, k -> new ArrayList<>()).add(new Slice(file, d, uid));
      if (chosenFile != null && file.equals(chosenFile) && seriesUid == null) {
        seriesUid = uid;
      }
    }
    if (series.isEmpty()) {
      throw new Gradcam3dException(path + " holds no DICOM image files" + (others > 0 ? " (" + others
          + " DICOM files without pixel data)" : "") + ".");
    }
    List<Slice> slices;
    if (seriesUid != null) {
      slices = series.get(seriesUid);
      if (slices == null) {
        throw new OptionValueException(Setting.SERIES, Setting.SERIES.label() + " " + NrrdReader.shorten(seriesUid)
            + " is not among the DICOM series in " + folder + ": "
            + listing(series) + ".");
      }
    } else if (series.size() > 1) {
      throw new Gradcam3dException(folder + " holds " + series.size() + " DICOM series; choose one with "
          + Setting.SERIES.label() + " UID: "
          + listing(series) + ".");
    } else {
      slices = series.values().iterator().next();
    }
    return assemble(slices, path.toString());
  }

  /** The series of a folder: UID, description and slice count of each, in order of discovery. */
  private static String listing(Map<String, List<Slice>> series) {
    StringJoiner j = new StringJoiner("; ");
    for (Map.Entry<String, List<Slice>> e : series.entrySet()) {
      DicomFile first = e.getValue().get(0).dicom();
      String description = first.text(DicomFile.SERIES_DESCRIPTION);
      String number = first.text(DicomFile.SERIES_NUMBER);
      j.add((e.getKey().isEmpty() ? "(no SeriesInstanceUID)" : NrrdReader.shorten(e.getKey())) + " ("
          + (description == null || description.isEmpty() ? "no description" : "'" + NrrdReader.shorten(description) + "'")
          + (number == null || number.isEmpty() ? "" : ", series number " + NrrdReader.shorten(number)) + ", "
          + e.getValue().size() + " slice" + (e.getValue().size() == 1 ? "" : "s") + ")");
    }
    return j.toString();
  }

  private static List<Path> files(Path folder) {
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(".") && Files.isRegularFile(p))
          .sorted().toList();
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new Gradcam3dException("cannot list the DICOM folder " + folder + ": " + e.getMessage(), e);
    }
  }

  private static byte[] bytes(Path file) {
    long size = InputFiles.requireRegularFile(file, "file");
    if (size > MAX_FILE_BYTES) {
      throw new Gradcam3dException(file + " is " + size + " bytes, too large for a single-frame DICOM slice.");
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new Gradcam3dException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static Scan assemble(List<Slice> slices, String source) {
    List<String> warnings = new ArrayList<>();
    DicomFile first = slices.get(0).dicom();
    int rows = required(first, DicomFile.ROWS, "Rows");
    int columns = required(first, DicomFile.COLUMNS, "Columns");
    double[] orientation = first.numbers(DicomFile.ORIENTATION, 6, "ImageOrientationPatient");
    double[] pixelSpacing = first.numbers(DicomFile.PIXEL_SPACING, 2, "PixelSpacing");
    if (orientation == null || pixelSpacing == null || first.numbers(DicomFile.POSITION, 3,
        "ImagePositionPatient") == null) {
      throw new Gradcam3dException(first.source + " lacks ImagePositionPatient, ImageOrientationPatient or"
          + " PixelSpacing, so its slices cannot be placed in space; " + TransferSyntax.SUGGESTION + ".");
    }
    double[] rowDirection = {orientation[0], orientation[1], orientation[2]};
    double[] columnDirection = {orientation[3], orientation[4], orientation[5]};
    double[] normal = ScanGeometry.cross(rowDirection, columnDirection);
    if (ScanGeometry.norm(normal) < 0.5) {
      throw new Gradcam3dException(first.source + ": ImageOrientationPatient " + ScanGeometry.text(orientation)
          + " does not hold two orthogonal unit vectors.");
    }
    double[] positionOf = new double[slices.size()];
    List<double[]> positions = new ArrayList<>();
    for (int s = 0; s < slices.size(); s++) {
      DicomFile d = slices.get(s).dicom();
      checkSame(first, d, rows, columns, orientation, pixelSpacing);
      checkPixelBytes(d, rows, columns);
      double[] p = d.numbers(DicomFile.POSITION, 3, "ImagePositionPatient");
      if (p == null) {
        throw new Gradcam3dException(d.source + " lacks ImagePositionPatient (0020,0032).");
      }
      positions.add(p);
      positionOf[s] = ScanGeometry.dot(p, normal);
    }
    Integer[] order = new Integer[slices.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, Comparator.comparingDouble(i -> positionOf[i]));
    int n = order.length;
    double step = 0;
    double[] stepVector;
    if (n > 1) {
      for (int s = 1; s < n; s++) {
        if (positionOf[order[s]] - positionOf[order[s - 1]] < 1e-4) {
          throw new Gradcam3dException(source + ": " + slices.get(order[s - 1]).file().getFileName() + " and "
              + slices.get(order[s]).file().getFileName() + " lie at the same position; the series holds several"
              + " volumes (acquisitions, echoes or phases), which is not supported: " + TransferSyntax.SUGGESTION
              + " (it splits them).");
        }
      }
      double[] p0 = positions.get(order[0]);
      double[] pn = positions.get(order[n - 1]);
      stepVector = new double[3];
      for (int c = 0; c < 3; c++) {
        stepVector[c] = (pn[c] - p0[c]) / (n - 1);
      }
      step = ScanGeometry.dot(stepVector, normal);
      double along = Math.abs(step) / ScanGeometry.norm(stepVector);
      if (along < 1 - 1e-4) {
        throw new Gradcam3dException(source + ": the slice positions do not advance along the slices' normal ("
            + String.format(Locale.ROOT, "%.2f", Math.toDegrees(Math.acos(Math.min(1, along))))
            + " degrees off: a tilted gantry), which gradcam3d does not correct; " + TransferSyntax.SUGGESTION
            + " (it corrects the tilt).");
      }
      double smallest = Double.MAX_VALUE;
      double largest = 0;
      for (int s = 1; s < n; s++) {
        double d = positionOf[order[s]] - positionOf[order[s - 1]];
        smallest = Math.min(smallest, d);
        largest = Math.max(largest, d);
      }
      if (largest - smallest > SPACING_TOLERANCE * step) {
        warnings.add(String.format(Locale.ROOT, "the slices of %s are unevenly spaced (%.4g to %.4g mm); they are"
            + " used as if %.4g mm apart (a missing slice?)", source, smallest, largest, step));
      }
      double thickness = first.number(DicomFile.SLICE_THICKNESS, Double.NaN, "SliceThickness");
      if (Double.isFinite(thickness) && Math.abs(thickness - step) > SPACING_TOLERANCE * step) {
        warnings.add(String.format(Locale.ROOT, "the slices of %s are %.4g mm apart but SliceThickness is %.4g mm;"
            + " the spacing of the positions is used", source, step, thickness));
      }
    } else {
      double thickness = first.number(DicomFile.SLICE_THICKNESS, 1, "SliceThickness");
      step = thickness > 0 ? thickness : 1;
      stepVector = new double[] {normal[0] * step, normal[1] * step, normal[2] * step};
    }
    double[] iAxis = new double[3];
    double[] jAxis = new double[3];
    for (int c = 0; c < 3; c++) {
      iAxis[c] = rowDirection[c] * pixelSpacing[1];
      jAxis[c] = columnDirection[c] * pixelSpacing[0];
    }
    double[][] axes = {ScanGeometry.flipXy(iAxis), ScanGeometry.flipXy(jAxis), ScanGeometry.flipXy(stepVector)};
    NiftiHeader header = ScanGeometry.header(new long[] {columns, rows, n}, axes,
        ScanGeometry.flipXy(positions.get(order[0])), source);
    long voxels = (long) rows * columns * n;
    if (voxels > NiftiReader.MAX_VOXELS) {
      throw new Gradcam3dException(source + ": " + columns + "x" + rows + "x" + n + " voxels are more than one image"
          + " may have here.");
    }
    VoxelData.voxelCount(new long[] {columns, rows, n}, source);
    float[] data = new float[(int) voxels];
    int perSlice = rows * columns;
    for (int s = 0; s < n; s++) {
      Slice slice = slices.get(order[s]);
      byte[] content = bytes(slice.file());
      DicomFile again = DicomFile.parse(content, slice.file().toString());
      if (!slice.series().equals(nullToEmpty(again.text(DicomFile.SERIES_UID)))) {
        throw new Gradcam3dException(slice.file() + " changed while the series was read.");
      }
      checkSame(first, again, rows, columns, orientation, pixelSpacing);
      decodeSlice(again, content, rows, columns, data, s * perSlice);
    }
    return new Scan(new NiftiImage(source, header, data), VolumeFormat.DICOM, warnings);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  private static int required(DicomFile d, int tag, String name) {
    int v = d.unsignedShort(tag, 0);
    if (v <= 0) {
      throw new Gradcam3dException(d.source + ": " + name + " " + DicomFile.tagText(tag) + " is missing or 0.");
    }
    return v;
  }

  /** Every slice must share the first's grid: size, pixel format, orientation and spacing. */
  private static void checkSame(DicomFile first, DicomFile d, int rows, int columns, double[] orientation,
      double[] spacing) {
    int frames = (int) d.number(DicomFile.FRAMES, 1, "NumberOfFrames");
    if (frames != 1) {
      throw new Gradcam3dException(d.source + " holds " + frames + " frames; multi-frame (enhanced) DICOM is not"
          + " supported: " + TransferSyntax.SUGGESTION + ".");
    }
    if (d.unsignedShort(DicomFile.ROWS, 0) != rows || d.unsignedShort(DicomFile.COLUMNS, 0) != columns) {
      throw new Gradcam3dException(d.source + " is " + d.unsignedShort(DicomFile.COLUMNS, 0) + "x"
          + d.unsignedShort(DicomFile.ROWS, 0) + " pixels but " + first.source + " is " + columns + "x" + rows
          + "; the files are not one series.");
    }
    double[] o = d.numbers(DicomFile.ORIENTATION, 6, "ImageOrientationPatient");
    double[] p = d.numbers(DicomFile.PIXEL_SPACING, 2, "PixelSpacing");
    if (o == null || p == null) {
      throw new Gradcam3dException(d.source + " lacks ImageOrientationPatient or PixelSpacing.");
    }
    for (int i = 0; i < 6; i++) {
      if (Math.abs(o[i] - orientation[i]) > 1e-4) {
        throw new Gradcam3dException(d.source + " has ImageOrientationPatient " + ScanGeometry.text(o) + " but "
            + first.source + " has " + ScanGeometry.text(orientation) + "; slices of one volume share it.");
      }
    }
    if (Math.abs(p[0] - spacing[0]) > 1e-4 * spacing[0] || Math.abs(p[1] - spacing[1]) > 1e-4 * spacing[1]) {
      throw new Gradcam3dException(d.source + " has PixelSpacing " + ScanGeometry.text(p) + " but " + first.source
          + " has " + ScanGeometry.text(spacing) + "; slices of one volume share it.");
    }
    if (!(spacing[0] > 0 && spacing[1] > 0)) {
      throw new Gradcam3dException(d.source + ": PixelSpacing " + ScanGeometry.text(spacing) + " must be positive.");
    }
  }

  /** Pixels JPEG can pack into one byte, at most: a bound on what compressed data can hold. */
  private static final long MAX_PIXELS_PER_JPEG_BYTE = 1024;

  /**
   * The pixel data must be able to hold the header's rows x columns before the volume is
   * allocated: a damaged Rows or Columns must not reserve gigabytes.
   */
  private static void checkPixelBytes(DicomFile d, int rows, int columns) {
    long pixels = (long) rows * columns;
    if (d.encapsulated) {
      long total = 0;
      for (long[] f : d.fragments) {
        total += f[1];
      }
      if (total * MAX_PIXELS_PER_JPEG_BYTE < pixels) {
        throw new Gradcam3dException(d.source + ": its " + total + " bytes of compressed pixel data cannot hold "
            + columns + "x" + rows + " pixels.");
      }
      return;
    }
    int allocated = d.unsignedShort(DicomFile.BITS_ALLOCATED, 0);
    if (allocated != 8 && allocated != 16 && allocated != 32) {
      throw new Gradcam3dException(d.source + ": BitsAllocated is " + allocated + "; 8, 16 and 32 are supported.");
    }
    long needed = pixels * (allocated / 8);
    if (d.pixelLength < needed) {
      throw new Gradcam3dException(d.source + ": its pixel data holds " + d.pixelLength + " bytes but " + columns + "x"
          + rows + " pixels of " + allocated + " bits need " + needed + ".");
    }
  }

  /** One slice's stored values to real values (HU for CT), into {@code out} from {@code at}. */
  private static void decodeSlice(DicomFile d, byte[] bytes, int rows, int columns, float[] out, int at) {
    int samples = d.unsignedShort(DicomFile.SAMPLES_PER_PIXEL, 1);
    String photometric = d.text(DicomFile.PHOTOMETRIC);
    if (samples != 1 || (photometric != null && !photometric.startsWith("MONOCHROME"))) {
      throw new Gradcam3dException(d.source + " is a " + (photometric == null ? samples + "-sample"
          : NrrdReader.shorten(photometric))
          + " image; only grayscale (MONOCHROME1/2) CT and MR slices are read.");
    }
    int allocated = d.unsignedShort(DicomFile.BITS_ALLOCATED, 0);
    int stored = d.unsignedShort(DicomFile.BITS_STORED, allocated);
    int highBit = d.unsignedShort(DicomFile.HIGH_BIT, stored - 1);
    int representation = d.unsignedShort(DicomFile.PIXEL_REPRESENTATION, 0);
    if (allocated != 8 && allocated != 16 && allocated != 32) {
      throw new Gradcam3dException(d.source + ": BitsAllocated is " + allocated + "; 8, 16 and 32 are supported.");
    }
    if (stored < 1 || stored > allocated || highBit < stored - 1 || highBit >= allocated || representation > 1) {
      throw new Gradcam3dException(d.source + ": BitsStored " + stored + ", HighBit " + highBit
          + " and PixelRepresentation " + representation + " do not fit BitsAllocated " + allocated + ".");
    }
    double slope = d.number(DicomFile.RESCALE_SLOPE, 1, "RescaleSlope");
    double intercept = d.number(DicomFile.RESCALE_INTERCEPT, 0, "RescaleIntercept");
    if (slope == 0) {
      throw new Gradcam3dException(d.source + ": RescaleSlope is 0.");
    }
    int shift = highBit + 1 - stored;
    long mask = stored == 64 ? -1L : (1L << stored) - 1;
    int count = rows * columns;
    TransferSyntax ts = TransferSyntax.of(d.transferSyntax);
    if (ts.jpeg()) {
      if (d.fragments.isEmpty()) {
        throw new Gradcam3dException(d.source + ": its encapsulated pixel data holds no fragment.");
      }
      long total = 0;
      for (long[] f : d.fragments) {
        total += f[1];
      }
      byte[] jpeg = new byte[(int) total];
      int p = 0;
      for (long[] f : d.fragments) {
        System.arraycopy(bytes, (int) f[0], jpeg, p, (int) f[1]);
        p += (int) f[1];
      }
      int[] values = JpegFrames.decode(jpeg, rows, columns, d.source);
      for (int i = 0; i < count; i++) {
        out[at + i] = (float) (real(values[i] & 0xffffffffL, shift, mask, stored, representation) * slope + intercept);
      }
      return;
    }
    if (d.encapsulated) {
      throw new Gradcam3dException(d.source + ": its pixel data is encapsulated (compressed) although its transfer"
          + " syntax " + d.transferSyntax + " is not.");
    }
    int bytesPer = allocated / 8;
    long needed = (long) count * bytesPer;
    if (d.pixelLength < needed) {
      throw new Gradcam3dException(d.source + ": its pixel data holds " + d.pixelLength + " bytes but " + columns + "x"
          + rows + " pixels of " + allocated + " bits need " + needed + ".");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, (int) d.pixelOffset, (int) needed).slice().order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < count; i++) {
      long raw = switch (bytesPer) {
        case 1 -> b.get(i) & 0xffL;
        case 2 -> b.getShort(i * 2) & 0xffffL;
        default -> b.getInt(i * 4) & 0xffffffffL;
      };
      out[at + i] = (float) (real(raw, shift, mask, stored, representation) * slope + intercept);
    }
  }

  /** A stored pixel's bits to its value: shifted to the high bit's place, masked, sign-extended. */
  private static double real(long raw, int shift, long mask, int stored, int representation) {
    long v = (raw >>> shift) & mask;
    if (representation == 1 && stored < 64 && (v & (1L << (stored - 1))) != 0) {
      v -= 1L << stored;
    }
    return v;
  }
}
