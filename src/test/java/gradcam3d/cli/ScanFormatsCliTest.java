package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.NiftiReader;
import gradcam3d.volume.Npy;
import gradcam3d.volume.Scan;
import gradcam3d.volume.VolumeIO;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * explain through the real command line on an NRRD, a MetaImage and a DICOM series: the map comes
 * back in the input's format (cam.nrrd, cam.mha; cam.nii.gz for DICOM) on the scan's own grid
 * (same shape and affine) holding cam.npy's values mapped through the layout. The written headers
 * are checked against the input's as text (both LPS) and, for DICOM, the NIfTI map's grid against
 * dcm2niix's conversion of the series in world coordinates.
 */
class ScanFormatsCliTest {
  static final Path MODEL = Path.of("src/test/resources/fixtures/models/seed_unet3d.onnx");
  static final Path DICOM = Path.of("src/test/resources/dicom");
  /** An oblique LPS grid (10 degrees about y), its i axis first: the voxel steps in mm. */
  static final double[][] LPS_AXES = {{0.8912412619, 0, -0.1252557909}, {0, 0.75, 0}, {0.2783462019, 0, 1.980536137}};
  static final double[] LPS_ORIGIN = {-20, 15, -33};

  @TempDir
  static Path tmp;

  /** The seed model's input (1, 1, 24, 40, 32) ZYX: as NIfTI-order data (i fastest) it is the same array. */
  static float[] voxels;

  @BeforeAll
  static void input() {
    voxels = Npy.read(Path.of("src/test/resources/fixtures/inputs/seed_unet3d.npy")).data();
  }

  static List<String> explain(Path input, Path out, String... extra) {
    List<String> a = new ArrayList<>(List.of("explain", "--model", MODEL.toString(), "--input", input.toString(),
        "--layer", "down3", "--target", "2:all", "--threads", "2", "--no-report", "--quiet", "--out", out.toString()));
    a.addAll(List.of(extra));
    return a;
  }

  @Test
  void nrrdInNrrdOut() throws IOException {
    Path input = tmp.resolve("scan.nrrd");
    String header = "NRRD0004\ntype: float\ndimension: 3\nspace: left-posterior-superior\nsizes: 32 40 24\n"
        + "space directions: " + vectors(LPS_AXES) + "\nkinds: domain domain domain\nendian: big\nencoding: raw\n"
        + "space origin: " + vector(LPS_ORIGIN, "(", ",", ")") + "\n\n";
    write(input, header, floats(voxels, ByteOrder.BIG_ENDIAN));
    Path out = tmp.resolve("out-nrrd");
    Cli.Run r = Cli.run(explain(input, out).toArray(String[]::new));
    assertEquals(0, r.exit(), r.toString());
    assertFalse(Files.exists(out.resolve("cam.nii.gz")));
    assertOnScanGrid(input, out, "cam.nrrd");
    String written = headerText(out.resolve("cam.nrrd"));
    assertTrue(written.startsWith("NRRD0004\n") && written.contains("space: left-posterior-superior\n")
        && written.contains("sizes: 32 40 24\n") && written.contains("encoding: gzip\n"), written);
    double[] directions = numbers(field(written, "space directions"));
    double[] origin = numbers(field(written, "space origin"));
    for (int a = 0; a < 3; a++) {
      for (int c = 0; c < 3; c++) {
        assertEquals(LPS_AXES[a][c], directions[a * 3 + c], 1e-12, "space directions");
      }
    }
    assertArrayEquals(LPS_ORIGIN, origin, 1e-12);
    summaryLists(out, "cam.nrrd", "nrrd");
  }

  @Test
  void metaImageInMhaOut() throws IOException {
    Path input = tmp.resolve("scan.mhd");
    double[] spacing = new double[3];
    double[] matrix = new double[9];
    for (int a = 0; a < 3; a++) {
      spacing[a] = Math.sqrt(LPS_AXES[a][0] * LPS_AXES[a][0] + LPS_AXES[a][1] * LPS_AXES[a][1]
          + LPS_AXES[a][2] * LPS_AXES[a][2]);
      for (int c = 0; c < 3; c++) {
        matrix[a * 3 + c] = LPS_AXES[a][c] / spacing[a];
      }
    }
    String header = "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
        + "TransformMatrix = " + vector(matrix, "", " ", "") + "\nOffset = " + vector(LPS_ORIGIN, "", " ", "")
        + "\nElementSpacing = " + vector(spacing, "", " ", "") + "\nDimSize = 32 40 24\nElementType = MET_FLOAT\n"
        + "ElementDataFile = scan.raw\n";
    Files.writeString(input, header);
    Files.write(tmp.resolve("scan.raw"), floats(voxels, ByteOrder.LITTLE_ENDIAN));
    Path out = tmp.resolve("out-mha");
    Cli.Run r = Cli.run(explain(input, out).toArray(String[]::new));
    assertEquals(0, r.exit(), r.toString());
    assertOnScanGrid(input, out, "cam.mha");
    String written = headerText(out.resolve("cam.mha"));
    assertTrue(written.contains("NDims = 3\n") && written.contains("DimSize = 32 40 24\n")
        && written.contains("ElementDataFile = LOCAL\n") && written.contains("CompressedData = True\n"), written);
    assertArrayEquals(matrix, numbers(field(written, "TransformMatrix")), 1e-12);
    assertArrayEquals(LPS_ORIGIN, numbers(field(written, "Offset")), 1e-12);
    assertArrayEquals(spacing, numbers(field(written, "ElementSpacing")), 1e-12);
    summaryLists(out, "cam.mha", "metaimage");
  }

  @Test
  void dicomSeriesInNiftiOut() throws IOException {
    Path input = DICOM.resolve("two_series");
    Cli.Run several = Cli.run(explain(input, tmp.resolve("out-none")).toArray(String[]::new));
    assertEquals(1, several.exit(), several.toString());
    assertEquals(1, several.err().lines().count(), several.err());
    assertTrue(several.err().contains("2 DICOM series; choose one with --series UID")
        && several.err().contains(gradcam3d.volume.formats.DicomSeriesTest.SERIES_A)
        && several.err().contains(gradcam3d.volume.formats.DicomSeriesTest.SERIES_B), several.err());
    Cli.Run unknown = Cli.run(explain(input, tmp.resolve("out-none"), "--series", "1.2.3").toArray(String[]::new));
    assertEquals(2, unknown.exit(), unknown.toString());
    assertFalse(Files.exists(tmp.resolve("out-none")));

    Path out = tmp.resolve("out-dicom");
    Cli.Run r = Cli.run(explain(input, out, "--series", gradcam3d.volume.formats.DicomSeriesTest.SERIES_A)
        .toArray(String[]::new));
    assertEquals(0, r.exit(), r.toString());
    NiftiImage cam = NiftiReader.read(out.resolve("cam.nii.gz"));
    Scan scan = (Scan) VolumeIO.contents(input, gradcam3d.volume.formats.DicomSeriesTest.SERIES_A);
    assertArrayEquals(scan.image().shape(), cam.shape());
    assertAffine(scan.image().header().affine(), cam.header().affine(), 1e-5);
    FloatTensor npy = Npy.read(out.resolve("cam.npy"));
    assertArrayEquals(npy.data(), cam.data(), 0f, "cam.nii.gz holds cam.npy (ZYX = NIfTI reversed)");
    // the same series (series A is ct_implicit's geometry) converted by dcm2niix: same voxel centres in world
    NiftiImage dcm2niix = NiftiReader.read(DICOM.resolve("dcm2niix/ct_implicit.nii.gz"));
    NiftiImage hu = new NiftiImage("hu", cam.header(), scan.image().data());
    double worst = gradcam3d.volume.formats.DicomSeriesTest.sameVoxelsInWorld(hu, dcm2niix, "cam.nii.gz grid");
    assertTrue(worst < 1e-3, "cam.nii.gz's voxel centres miss dcm2niix's by " + worst + " voxels");
    Map<String, Object> summary = summary(out);
    assertEquals(gradcam3d.volume.formats.DicomSeriesTest.SERIES_A, summary.get("dicom_series"));
    summaryLists(out, "cam.nii.gz", "dicom");
  }

  @Test
  void batchFindsHeadersAndDicomFolders() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("cohort"));
    Files.copy(Path.of("src/test/resources/formats/ct_detached.mhd"), dir.resolve("ct_detached.mhd"));
    Files.copy(Path.of("src/test/resources/formats/ct_detached_mhd.raw"), dir.resolve("ct_detached_mhd.raw"));
    Path series = Files.createDirectories(dir.resolve("series1"));
    Files.copy(DICOM.resolve("ct_axial/IM0000.dcm"), series.resolve("IM0000")); // no extension: found by 'DICM'
    Files.createDirectories(dir.resolve("notes")).resolve("a.txt").toFile().createNewFile();
    Path out = tmp.resolve("out-batch");
    Cli.Run r = Cli.run("batch", "--model", MODEL.toString(), "--inputs-dir", dir.toString(), "--layer", "down3",
        "--target", "2:all", "--threads", "2", "--quiet", "--no-pictures", "--out", out.toString());
    List<String> rows = Files.readAllLines(out.resolve("batch.csv"));
    List<String> cases = rows.subList(1, rows.size()).stream().map(l -> l.substring(0, l.indexOf(','))).sorted().toList();
    assertEquals(List.of("ct_detached", "series1"), cases, r.toString());
  }

  /** cam.&lt;ext&gt; has the scan's shape and affine and holds cam.npy's values in NIfTI order. */
  static void assertOnScanGrid(Path input, Path out, String name) {
    Scan scan = (Scan) VolumeIO.contents(input);
    Scan cam = (Scan) VolumeIO.contents(out.resolve(name));
    assertArrayEquals(scan.image().shape(), cam.image().shape(), name + " shape");
    assertAffine(scan.image().header().affine(), cam.image().header().affine(), 1e-9);
    FloatTensor npy = Npy.read(out.resolve("cam.npy"));
    assertArrayEquals(new long[] {1, 24, 40, 32}, npy.shape());
    assertArrayEquals(npy.data(), cam.image().data(), 0f, name + " holds cam.npy (ZYX = NIfTI reversed)");
    float max = 0;
    for (float v : npy.data()) {
      max = Math.max(max, v);
    }
    assertEquals(1f, max, 1e-6, "a min-max normalised map");
  }

  static void assertAffine(double[][] expected, double[][] actual, double tolerance) {
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 4; c++) {
        assertEquals(expected[r][c], actual[r][c], tolerance, "affine [" + r + "][" + c + "]");
      }
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> summary(Path out) throws IOException {
    return (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
  }

  @SuppressWarnings("unchecked")
  static void summaryLists(Path out, String file, String format) throws IOException {
    Map<String, Object> s = summary(out);
    assertTrue(((List<Object>) s.get("files")).contains(file), s.get("files").toString());
    assertEquals(format, s.get("input_format"));
  }

  static String headerText(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    String text = new String(b, 0, Math.min(b.length, 2000), StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\n\n");
    int local = text.indexOf("ElementDataFile = LOCAL\n");
    return end >= 0 ? text.substring(0, end + 1) : text.substring(0, local + "ElementDataFile = LOCAL\n".length());
  }

  static String field(String header, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\s*[:=]\\s*(.*)$").matcher(header);
    assertTrue(m.find(), name + " in " + header);
    return m.group(1);
  }

  static double[] numbers(String text) {
    String[] words = text.replaceAll("[(),]", " ").trim().split("\\s+");
    double[] v = new double[words.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = Double.parseDouble(words[i]);
    }
    return v;
  }

  static String vectors(double[][] axes) {
    StringBuilder b = new StringBuilder();
    for (double[] a : axes) {
      b.append(b.length() > 0 ? " " : "").append(vector(a, "(", ",", ")"));
    }
    return b.toString();
  }

  static String vector(double[] v, String open, String separator, String close) {
    StringBuilder b = new StringBuilder(open);
    for (int i = 0; i < v.length; i++) {
      b.append(i > 0 ? separator : "").append(v[i]);
    }
    return b.append(close).toString();
  }

  static byte[] floats(float[] values, ByteOrder order) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(order);
    b.asFloatBuffer().put(values);
    return b.array();
  }

  static void write(Path file, String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[h.length + data.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(data, 0, all, h.length, data.length);
    Files.write(file, all);
  }
}
