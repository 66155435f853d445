package gradcam3d.volume.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Layout;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.Scan;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeIO;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Maps written as .nrrd and .mha read back with the same values and geometry, from a scan of each
 * format; and the readers on hand-written headers: every numeric type in both byte orders, channel
 * axes, the ascii encoding, NRRD's named spaces, 2D images, masks, and a refused transfer syntax.
 */
class ScanRoundTripTest {
  @TempDir
  Path tmp;

  static Stream<String> scans() {
    return Stream.of("formats/ct_raw.nrrd", "formats/ct_gzip.nrrd", "formats/ct_detached.nhdr", "formats/ct_zlib.mha",
        "formats/ct_detached.mhd", "dicom/ct_oblique", "dicom/ct_axial");
  }

  @ParameterizedTest
  @MethodSource("scans")
  void writtenMapsReadBack(String name) {
    Volume scan = VolumeIO.read(Path.of("src/test/resources").resolve(name), Layout.ZYX, 3);
    for (String ext : new String[] {".nrrd", ".mha", ".nii.gz"}) {
      Path out = tmp.resolve("map" + ext);
      VolumeIO.writeCam(scan.tensor().slice0(0), scan, out);
      Volume back = VolumeIO.read(out, Layout.ZYX, 3);
      assertArrayEquals(scan.tensor().data(), back.tensor().data(), 0f, name + " -> " + ext);
      double tolerance = ext.equals(".nii.gz") ? 1e-4 : 1e-9; // NIfTI-1 stores the sform as float32
      ScanFormatsTest.assertAffine(scan.affine(), back.affine(), tolerance, name + " -> " + ext);
    }
  }

  static Stream<Object[]> types() {
    return Stream.of(new Object[] {"int8", "MET_CHAR", 1}, new Object[] {"uint8", "MET_UCHAR", 1},
        new Object[] {"int16", "MET_SHORT", 2}, new Object[] {"uint16", "MET_USHORT", 2},
        new Object[] {"int32", "MET_INT", 4}, new Object[] {"uint32", "MET_UINT", 4},
        new Object[] {"int64", "MET_LONG_LONG", 8}, new Object[] {"uint64", "MET_ULONG_LONG", 8},
        new Object[] {"float", "MET_FLOAT", 4}, new Object[] {"double", "MET_DOUBLE", 8});
  }

  /** Values each type holds exactly, negative ones for the signed types. */
  static double[] values(String type) {
    boolean signed = !type.startsWith("u") && !type.equals("MET_UCHAR");
    double[] v = new double[24];
    for (int i = 0; i < v.length; i++) {
      v[i] = signed ? i * 5 - 60 : i * 10 + 3;
    }
    if (type.equals("uint16")) {
      v[23] = 65535;
    } else if (type.equals("uint32")) {
      v[23] = 4294967295.0;
    } else if (type.equals("int16")) {
      v[0] = -32768;
    } else if (type.equals("float") || type.equals("double")) {
      v[5] = 0.25;
    }
    return v;
  }

  static byte[] encode(double[] v, int bytes, boolean floating, ByteOrder order) {
    ByteBuffer b = ByteBuffer.allocate(v.length * bytes).order(order);
    for (double x : v) {
      if (floating && bytes == 4) {
        b.putFloat((float) x);
      } else if (floating) {
        b.putDouble(x);
      } else if (bytes == 1) {
        b.put((byte) (long) x);
      } else if (bytes == 2) {
        b.putShort((short) (long) x);
      } else if (bytes == 4) {
        b.putInt((int) (long) x);
      } else {
        b.putLong((long) x);
      }
    }
    return b.array();
  }

  @ParameterizedTest
  @MethodSource("types")
  void everyTypeInBothByteOrders(String nrrdType, String metType, int bytes) throws IOException {
    double[] v = values(nrrdType);
    boolean floating = nrrdType.equals("float") || nrrdType.equals("double");
    for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
      boolean big = order == ByteOrder.BIG_ENDIAN;
      byte[] data = encode(v, bytes, floating, order);
      Path nrrd = tmp.resolve(nrrdType + big + ".nrrd");
      write(nrrd, "NRRD0005\n# a comment\ntype: " + nrrdType + "\ndimension: 3\nsizes: 4 3 2\nspacings: 1 2 3\n"
          + "endian: " + (big ? "big" : "little") + "\nencoding: gzip\nunits:=mm\n\n", gzip(data));
      Path mha = tmp.resolve(nrrdType + big + ".mha");
      write(mha, "ObjectType = Image\nNDims = 3\nDimSize = 4 3 2\nElementSpacing = 1 2 3\nElementType = " + metType
          + "\nBinaryDataByteOrderMSB = " + (big ? "True" : "False") + "\nElementDataFile = LOCAL\n", data);
      for (Path file : new Path[] {nrrd, mha}) {
        NiftiImage image = ((Scan) VolumeIO.contents(file)).image();
        assertArrayEquals(new long[] {4, 3, 2}, image.shape());
        for (int i = 0; i < v.length; i++) {
          assertEquals((float) v[i], image.data()[i], 0f, file.getFileName() + " voxel " + i);
        }
        // no space given: LPS with the spacings, as ITK reads it
        double[][] expected = {{-1, 0, 0, 0}, {0, -2, 0, 0}, {0, 0, 3, 0}, {0, 0, 0, 1}};
        ScanFormatsTest.assertAffine(expected, image.header().affine(), 0, file.getFileName().toString());
      }
    }
  }

  @Test
  void channelAxesGoLast() throws IOException {
    // 2 channels interleaved (fastest) over a 4x3x2 grid: value = 100 * channel + voxel
    double[] v = new double[48];
    for (int voxel = 0; voxel < 24; voxel++) {
      for (int c = 0; c < 2; c++) {
        v[voxel * 2 + c] = 100 * c + voxel;
      }
    }
    byte[] data = encode(v, 4, true, ByteOrder.LITTLE_ENDIAN);
    Path nrrd = tmp.resolve("vector.nrrd");
    write(nrrd, "NRRD0004\ntype: float\ndimension: 4\nspace: RAS\nsizes: 2 4 3 2\n"
        + "space directions: none (1,0,0) (0,1,0) (0,0,1)\nkinds: vector domain domain domain\nendian: little\n"
        + "encoding: raw\n\n", data);
    Path mha = tmp.resolve("vector.mha");
    write(mha, "NDims = 3\nDimSize = 4 3 2\nElementNumberOfChannels = 2\nElementType = MET_FLOAT\n"
        + "ElementDataFile = LOCAL\n", data);
    for (Path file : new Path[] {nrrd, mha}) {
      NiftiImage image = ((Scan) VolumeIO.contents(file)).image();
      assertArrayEquals(new long[] {4, 3, 2, 2}, image.shape(), file.toString());
      for (int c = 0; c < 2; c++) {
        for (int voxel = 0; voxel < 24; voxel++) {
          assertEquals(100 * c + voxel, image.data()[c * 24 + voxel], 0f);
        }
      }
      Volume volume = VolumeIO.read(file, Layout.ZYX, 3);
      assertEquals(2, volume.channels());
    }
  }

  @Test
  void asciiEncodingAndNamedSpaces() throws IOException {
    Path ras = tmp.resolve("ras.nrrd");
    write(ras, "NRRD0004\ntype: short\ndimension: 2\nspace: right-anterior-superior\nsizes: 3 2\n"
        + "space directions: (0.5,0,0) (0,0.5,0)\nspace origin: (1,2,3)\nencoding: ascii\n\n",
        "1 2 3\n-4 5 6\n".getBytes(StandardCharsets.US_ASCII));
    NiftiImage image = ((Scan) VolumeIO.contents(ras)).image();
    assertArrayEquals(new float[] {1, 2, 3, -4, 5, 6}, image.data(), 0f);
    assertArrayEquals(new long[] {3, 2}, image.shape());
    double[][] expected = {{0.5, 0, 0, 1}, {0, 0.5, 0, 2}, {0, 0, 1, 3}, {0, 0, 0, 1}};
    ScanFormatsTest.assertAffine(expected, image.header().affine(), 0, "RAS");
    Path las = tmp.resolve("las.nrrd");
    write(las, "NRRD0004\ntype: uchar\ndimension: 3\nspace: left-anterior-superior\nsizes: 1 1 1\n"
        + "space directions: (2,0,0) (0,3,0) (0,0,4)\nspace origin: (1,2,3)\nencoding: raw\n\n", new byte[] {7});
    double[][] las2ras = {{-2, 0, 0, -1}, {0, 3, 0, 2}, {0, 0, 4, 3}, {0, 0, 0, 1}};
    ScanFormatsTest.assertAffine(las2ras, ((Scan) VolumeIO.contents(las)).image().header().affine(), 0, "LAS");
    Volume twoD = VolumeIO.read(ras, Layout.ZYX, 2);
    assertArrayEquals(new long[] {2, 3}, twoD.spatialShape());
  }

  @Test
  void masksAndLabelsInTheseFormats() throws IOException {
    Path mask = tmp.resolve("mask.mha");
    write(mask, "NDims = 3\nDimSize = 4 3 2\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n",
        new byte[] {0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    FloatTensor m = VolumeIO.readMask(mask, Layout.ZYX, new long[] {2, 3, 4});
    float[] expected = new float[24];
    expected[1] = expected[2] = expected[11] = expected[23] = 1;
    assertArrayEquals(expected, m.data(), 0f);
    Volume labels = VolumeIO.read(mask, Layout.XYZ, 3);
    assertEquals(3f, labels.tensor().data()[(3 * 3 + 2) * 2 + 0], 0f, "label values as stored (XYZ: i slowest)");
  }

  @Test
  void unsupportedTransferSyntaxIsNamed() throws IOException {
    Path folder = Files.createDirectories(tmp.resolve("rle"));
    byte[] b = Files.readAllBytes(Path.of("src/test/resources/dicom/ct_axial/IM0000.dcm"));
    String text = new String(b, StandardCharsets.ISO_8859_1);
    int at = text.indexOf("1.2.840.10008.1.2.1\0");
    assertTrue(at > 0);
    byte[] rle = "1.2.840.10008.1.2.5\0".getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(rle, 0, b, at, rle.length);
    Files.write(folder.resolve("IM0000.dcm"), b);
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> VolumeIO.contents(folder));
    assertTrue(e.getMessage().contains("1.2.840.10008.1.2.5 (RLE lossless)") && e.getMessage().contains("dcm2niix"),
        e.getMessage());
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(raw);
    }
    return out.toByteArray();
  }

  static void write(Path file, String header, byte[] data) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
    all.writeBytes(data);
    Files.write(file, all.toByteArray());
  }
}
