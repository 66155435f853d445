package gradcam3d.volume;

import static gradcam3d.volume.NiftiAssertions.assertAffine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What NiftiWriter writes, NiftiReader reads back unchanged, in every supported variant. */
class NiftiRoundTripTest {
  @TempDir Path dir;

  static Stream<Arguments> variants() {
    List<Arguments> all = new ArrayList<>();
    for (NiftiDatatype type : NiftiDatatype.values()) {
      for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
        for (int version : new int[] {1, 2}) {
          for (String suffix : new String[] {".nii", ".nii.gz"}) {
            all.add(Arguments.of(type, order, version, suffix));
          }
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} {1} NIfTI-{2} {3}")
  @MethodSource("variants")
  void everyDatatypeByteOrderVersionAndCompression(
      NiftiDatatype type, ByteOrder order, int version, String suffix) throws IOException {
    NiftiHeader template = geometryTemplate().withShape(5, 4, 3);
    float[] data = valuesFor(type, 60);
    Path file = dir.resolve("image" + suffix);
    new NiftiTestWriter().datatype(type).byteOrder(order).version(version)
        .write(new NiftiImage("test", template, data), file);

    byte[] raw = uncompressed(file);
    int headerSize = ByteBuffer.wrap(raw).order(order).getInt(0);
    assertEquals(version == 1 ? 348 : 540, headerSize, "sizeof_hdr in the chosen byte order");
    assertEquals((version == 1 ? 352 : 544) + 60L * type.bytes(), raw.length);

    NiftiImage back = NiftiReader.read(file);
    assertArrayEquals(data, back.data());
    NiftiHeader h = back.header();
    assertEquals(type, h.datatype);
    assertArrayEquals(new long[] {3, 5, 4, 3, 1, 1, 1, 1}, h.dim);
    assertEquals(version == 1 ? 352 : 544, h.voxOffset);
    assertEquals(1, h.sclSlope, 0);
    assertEquals(0, h.sclInter, 0);
    assertEquals(min(data), h.calMin, 0);
    assertEquals(max(data), h.calMax, 0);
    assertGeometryKept(template, h);
  }

  @Test
  void scaledIntegersComeBackAsRealValues() {
    float[] data = new float[24];
    for (int i = 0; i < data.length; i++) {
      data[i] = -10 + 0.5f * (i * 37 % 200 - 100); // multiples of the slope, offset by inter
    }
    NiftiHeader header = new NiftiHeader().withShape(4, 3, 2);
    for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
      for (int version : new int[] {1, 2}) {
        Path file = dir.resolve("scaled" + version + order + ".nii");
        new NiftiTestWriter().datatype(NiftiDatatype.INT16).scaling(0.5, -10).byteOrder(order)
            .version(version).write(new NiftiImage("scaled", header, data), file);
        NiftiImage back = NiftiReader.read(file);
        assertEquals(0.5, back.header().sclSlope, 0);
        assertEquals(-10, back.header().sclInter, 0);
        assertArrayEquals(data, back.data());
        // the stored integers are (value - inter) / slope
        ByteBuffer raw = ByteBuffer.wrap(readBytes(file)).order(order);
        int offset = version == 1 ? 352 : 544;
        assertEquals((data[1] + 10) / 0.5, raw.getShort(offset + 2), 0);
      }
    }
  }

  @Test
  void uint8WithSlopeAndIntercept() {
    float[] data = {1, 3, 5, 511, 1, 7};
    Path file = dir.resolve("u8.nii.gz");
    new NiftiTestWriter().datatype(NiftiDatatype.UINT8).scaling(2, 1)
        .write(new NiftiImage("u8", new NiftiHeader().withShape(3, 2), data), file);
    NiftiImage back = NiftiReader.read(file);
    assertArrayEquals(data, back.data());
    assertEquals(2, back.header().dim[0]);
  }

  @Test
  void unscaledMarkerIsWrittenAndIgnoredOnRead() {
    float[] data = {1.5f, -2.25f, 3};
    Path file = dir.resolve("nan-slope.nii");
    new NiftiTestWriter().scaling(Double.NaN, Double.NaN)
        .write(new NiftiImage("x", new NiftiHeader().withShape(3), data), file);
    NiftiImage back = NiftiReader.read(file);
    assertTrue(Double.isNaN(back.header().sclSlope));
    assertTrue(Double.isNaN(back.header().sclInter));
    assertArrayEquals(data, back.data());
  }

  @Test
  void nifti2KeepsDoublePrecisionGeometryAndLargeDims() {
    NiftiHeader template = new NiftiHeader().withShape(40000, 1, 2);
    template.sformCode = 4;
    template.srow = new double[][] {{0.1, 0, 0, 1e-9}, {0, 0.2, 0, 0.3}, {0, 0, 0.7, -0.123456789}};
    template.pixdim = new double[] {1, 0.1, 0.2, 0.7, 1, 1, 1, 1};
    float[] data = new float[80000];
    data[79999] = 42;
    Path file = dir.resolve("wide.nii");
    new NiftiTestWriter().version(2).write(new NiftiImage("wide", template, data), file);
    NiftiImage back = NiftiReader.read(file);
    assertArrayEquals(new long[] {40000, 1, 2}, back.shape());
    assertEquals(42, back.get(39999, 0, 1));
    assertAffine(template.affine(), back.header().affine(), 0);

    Gradcam3dException e = assertThrows(Gradcam3dException.class, () ->
        new NiftiWriter().write(new NiftiImage("wide", template, data), dir.resolve("v1.nii")));
    assertTrue(e.getMessage().contains("dim[1] = 40000 does not fit in a NIfTI-1 header"),
        e.getMessage());
    assertTrue(e.getMessage().contains("NIfTI-2"), e.getMessage());
    assertEquals(List.of("wide.nii"), fileNames());
  }

  @Test
  void aValueOutsideTheDatatypeFailsAndLeavesNoFile() {
    float[] data = {0, 255, 256};
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () ->
        new NiftiTestWriter().datatype(NiftiDatatype.UINT8)
            .write(new NiftiImage("x", new NiftiHeader().withShape(3), data),
                dir.resolve("u.nii")));
    assertTrue(e.getMessage().contains("256.0 does not fit in NIfTI uint8"), e.getMessage());
    assertEquals(List.of(), fileNames());
  }

  @Test
  void outputNameMustBeNifti() {
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> new NiftiWriter()
        .write(new NiftiImage("x", new NiftiHeader().withShape(1), new float[1]),
            dir.resolve("cam.nii.zip")));
    assertTrue(e.getMessage().contains("must end in .nii or .nii.gz"), e.getMessage());
  }

  @Test
  void affinePrefersSformThenQformThenPixdim() {
    NiftiHeader h = new NiftiHeader();
    h.pixdim = new double[] {-1, 2, 3, 4, 1, 1, 1, 1};
    assertAffine(new double[][] {{2, 0, 0, 0}, {0, 3, 0, 0}, {0, 0, 4, 0}, {0, 0, 0, 1}},
        h.affine(), 0);

    // 90 degrees about z: (b, c, d) = (0, 0, sin 45); qfac -1 flips the third column
    h.qformCode = 1;
    h.quaternD = Math.sqrt(0.5);
    h.qoffsetX = 7;
    h.qoffsetY = -8;
    h.qoffsetZ = 9;
    assertAffine(new double[][] {{0, -3, 0, 7}, {2, 0, 0, -8}, {0, 0, -4, 9}, {0, 0, 0, 1}},
        h.affine(), 1e-12);
    h.pixdim[0] = 0; // an unset qfac counts as 1
    assertEquals(4, h.affine()[2][2], 1e-12);

    h.sformCode = 1;
    h.srow = new double[][] {{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}};
    assertAffine(new double[][] {{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}, {0, 0, 0, 1}},
        h.affine(), 0);
  }

  /** A header with every geometry and label field set to values exact in float32. */
  private static NiftiHeader geometryTemplate() {
    NiftiHeader h = new NiftiHeader();
    h.pixdim = new double[] {-1, 0.75, 1.25, 2.5, 0.5, 1, 1, 1};
    h.qformCode = 1;
    h.quaternB = 0.125;
    h.quaternC = -0.25;
    h.quaternD = 0.5;
    h.qoffsetX = -90.5;
    h.qoffsetY = 120.25;
    h.qoffsetZ = 33;
    h.sformCode = 2;
    h.srow = new double[][] {{-0.75, 0, 0.125, 90}, {0, 1.25, 0, -126}, {0.25, 0, 2.5, -72}};
    h.xyztUnits = 10;
    h.intentCode = 1002;
    h.intentName = "test intent";
    h.intentP1 = 0.5;
    h.descrip = "round trip template";
    h.auxFile = "aux.txt";
    h.dimInfo = 57;
    h.sliceStart = 1;
    h.sliceEnd = 2;
    h.sliceCode = 3;
    h.sliceDuration = 0.25;
    h.toffset = 1.5;
    return h;
  }

  private static void assertGeometryKept(NiftiHeader expected, NiftiHeader actual) {
    assertArrayEquals(expected.pixdim, actual.pixdim, 0);
    assertEquals(expected.qformCode, actual.qformCode);
    assertEquals(expected.sformCode, actual.sformCode);
    assertEquals(expected.quaternB, actual.quaternB, 0);
    assertEquals(expected.quaternC, actual.quaternC, 0);
    assertEquals(expected.quaternD, actual.quaternD, 0);
    assertEquals(expected.qoffsetX, actual.qoffsetX, 0);
    assertEquals(expected.qoffsetY, actual.qoffsetY, 0);
    assertEquals(expected.qoffsetZ, actual.qoffsetZ, 0);
    for (int r = 0; r < 3; r++) {
      assertArrayEquals(expected.srow[r], actual.srow[r], 0);
    }
    assertAffine(expected.affine(), actual.affine(), 0);
    assertAffine(expected.qformAffine(), actual.qformAffine(), 0);
    assertEquals(expected.xyztUnits, actual.xyztUnits);
    assertEquals(expected.intentCode, actual.intentCode);
    assertEquals(expected.intentName, actual.intentName);
    assertEquals(expected.intentP1, actual.intentP1, 0);
    assertEquals(expected.descrip, actual.descrip);
    assertEquals(expected.auxFile, actual.auxFile);
    assertEquals(expected.dimInfo, actual.dimInfo);
    assertEquals(expected.sliceStart, actual.sliceStart);
    assertEquals(expected.sliceEnd, actual.sliceEnd);
    assertEquals(expected.sliceCode, actual.sliceCode);
    assertEquals(expected.sliceDuration, actual.sliceDuration, 0);
    assertEquals(expected.toffset, actual.toffset, 0);
  }

  /** Values that the type holds exactly, reaching both ends of its range where float32 can. */
  private static float[] valuesFor(NiftiDatatype type, int n) {
    Random random = new Random(type.code());
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = switch (type) {
        case UINT8 -> random.nextInt(256);
        case INT8 -> random.nextInt(256) - 128;
        case INT16 -> random.nextInt(65536) - 32768;
        case UINT16 -> random.nextInt(65536);
        case INT32 -> random.nextInt(1 << 24) - (1 << 23);
        case UINT32 -> random.nextInt(1 << 24) * 256f; // multiples of 256 stay exact in float32
        case INT64 -> (random.nextInt(1 << 24) - (1 << 23)) * 65536f;
        case FLOAT32, FLOAT64 -> (float) random.nextGaussian() * 1000;
      };
    }
    if (!type.isFloat()) {
      v[0] = type == NiftiDatatype.UINT32 ? 4294967040f : (float) minOf(type);
    }
    return v;
  }

  private static double minOf(NiftiDatatype type) {
    return switch (type) {
      case INT8 -> -128;
      case INT16 -> -32768;
      case INT32 -> Integer.MIN_VALUE;
      case INT64 -> Long.MIN_VALUE;
      default -> 0;
    };
  }

  private static float min(float[] data) {
    float m = Float.POSITIVE_INFINITY;
    for (float v : data) {
      m = Math.min(m, v);
    }
    return m;
  }

  private static float max(float[] data) {
    float m = Float.NEGATIVE_INFINITY;
    for (float v : data) {
      m = Math.max(m, v);
    }
    return m;
  }

  private static byte[] readBytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] uncompressed(Path file) throws IOException {
    if (!file.toString().endsWith(".gz")) {
      return Files.readAllBytes(file);
    }
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return in.readAllBytes();
    }
  }

  private List<String> fileNames() {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * An unscaled float32 map is stored as its floats' own bits (NaN, infinities and signed zeros
   * included, in either byte order), and cal_min/cal_max are Math.min and Math.max over its finite
   * values (-0.0 below +0.0).
   */
  @Test
  void unscaledFloatsAreStoredBitForBitWithTheirFiniteRange() throws IOException {
    float[][] cases = {{0f, -0f, 2.5f, Float.NaN, -3f, Float.POSITIVE_INFINITY}, {-0f, 0f, 0f, -0f, 0f, -0f},
        {0f, -0f, 0f, -0f, Float.NEGATIVE_INFINITY, 0f}, {Float.NaN, 1f, 7f, -0f, 7f, 1f}};
    for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
      for (float[] data : cases) {
        Path file = dir.resolve("bits.nii");
        new NiftiTestWriter().datatype(NiftiDatatype.FLOAT32).byteOrder(order).version(1)
            .write(new NiftiImage("test", geometryTemplate().withShape(3, 2, 1), data), file);
        ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(file)).order(order);
        for (int i = 0; i < data.length; i++) {
          assertEquals(Float.floatToRawIntBits(data[i]), raw.getInt(352 + 4 * i), "voxel " + i);
        }
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : data) {
          if (Float.isFinite(v)) {
            min = Math.min(min, v);
            max = Math.max(max, v);
          }
        }
        assertEquals(Float.floatToRawIntBits(max), Float.floatToRawIntBits(raw.getFloat(124)), "cal_max");
        assertEquals(Float.floatToRawIntBits(min), Float.floatToRawIntBits(raw.getFloat(128)), "cal_min");
        Files.delete(file);
      }
    }
  }
}
