package gradcam3d.volume.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gradcam3d.Gradcam3dException;
import gradcam3d.OptionValueException;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.NiftiReader;
import gradcam3d.volume.Npy;
import gradcam3d.volume.Scan;
import gradcam3d.volume.VolumeFormat;
import gradcam3d.volume.VolumeIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shared DICOM fixtures (../shared/fixtures/dicom, copied to src/test/resources/dicom): CT
 * series written by pydicom (12 bits stored, intercept -1024) and dcm2niix's conversion of each.
 * Every voxel centre of ours, mapped to world by our affine, must land on a voxel centre of
 * dcm2niix's grid (its affine inverted) holding the same HU value; and the other way round every
 * voxel of dcm2niix's must be reached (same count).
 */
public class DicomSeriesTest {
  static final Path ROOT = Path.of("src/test/resources/dicom");
  public static final String SERIES_A = "1.2.826.0.1.3680043.8.498.53106109627805499725666249404255874474";
  public static final String SERIES_B = "1.2.826.0.1.3680043.8.498.38740768521058893309310282849172089468";

  static Stream<String> series() {
    return Stream.of("ct_axial", "ct_implicit", "ct_oblique", "ct_jpeg_lossless");
  }

  @ParameterizedTest
  @MethodSource("series")
  void matchesDcm2niixInWorldCoordinates(String name) {
    Scan ours = (Scan) VolumeIO.contents(ROOT.resolve(name));
    assertEquals(VolumeFormat.DICOM, ours.format());
    assertTrue(ours.warnings().isEmpty(), ours.warnings().toString());
    NiftiImage reference = NiftiReader.read(ROOT.resolve("dcm2niix/" + name + ".nii.gz"));
    double worst = sameVoxelsInWorld(ours.image(), reference, name);
    assertTrue(worst < 1e-3, name + ": our voxel centres miss dcm2niix's by up to " + worst + " voxels");
  }

  /** Compares every voxel; returns the largest distance (in dcm2niix voxels) from a voxel centre. */
  public static double sameVoxelsInWorld(NiftiImage ours, NiftiImage reference, String name) {
    assertEquals(reference.data().length, ours.data().length, name + ": voxel count");
    double[][] a = ours.header().affine();
    double[][] inverse = invert(reference.header().affine());
    long[] shape = ours.shape();
    long[] refShape = reference.shape();
    double worst = 0;
    for (int k = 0; k < shape[2]; k++) {
      for (int j = 0; j < shape[1]; j++) {
        for (int i = 0; i < shape[0]; i++) {
          double[] world = apply(a, i, j, k);
          double[] v = apply(inverse, world[0], world[1], world[2]);
          long[] index = new long[3];
          for (int c = 0; c < 3; c++) {
            index[c] = Math.round(v[c]);
            worst = Math.max(worst, Math.abs(v[c] - index[c]));
            if (index[c] < 0 || index[c] >= refShape[c]) {
              fail(name + ": voxel " + i + "," + j + "," + k + " maps outside dcm2niix's grid");
            }
          }
          float expected = reference.get(index[0], index[1], index[2]);
          if (Math.abs(expected - ours.get(i, j, k)) > 1e-3) {
            fail(name + ": HU at voxel " + i + "," + j + "," + k + ": " + ours.get(i, j, k) + ", dcm2niix " + expected);
          }
        }
      }
    }
    return worst;
  }

  @Test
  void axialValuesAreTheWrittenHu() {
    // hu_zyx.npy (slice, row, column) in slice order along the normal: voxel (i, j, k) = hu[k, j, i]
    FloatTensor hu = Npy.read(ROOT.resolve("hu_zyx.npy"));
    Scan ours = (Scan) VolumeIO.contents(ROOT.resolve("ct_axial"));
    assertArrayEquals(hu.data(), ours.image().data(), 0f);
    assertArrayEquals(new long[] {48, 40, 24}, ours.image().shape());
    double[][] affine = ours.image().header().affine();
    // LPS (-16.8, -14, -30) is RAS (16.8, 14, -30); columns 0.7 mm along -x (RAS), rows along -y, slices 2.5 along z
    double[][] expected = {{-0.7, 0, 0, 16.8}, {0, -0.7, 0, 14.0}, {0, 0, 2.5, -30}, {0, 0, 0, 1}};
    ScanFormatsTest.assertAffine(expected, affine, 1e-9, "ct_axial affine");
  }

  @Test
  void oneFileStandsForItsSeries() {
    Scan folder = (Scan) VolumeIO.contents(ROOT.resolve("ct_axial"));
    Scan file = (Scan) VolumeIO.contents(ROOT.resolve("ct_axial/IM0007.dcm"));
    assertArrayEquals(folder.image().data(), file.image().data(), 0f);
    ScanFormatsTest.assertAffine(folder.image().header().affine(), file.image().header().affine(), 0, "affine");
  }

  @Test
  void severalSeriesAreListedAndChosenByUid() {
    Gradcam3dException e = assertThrows(Gradcam3dException.class,
        () -> VolumeIO.contents(ROOT.resolve("two_series")));
    assertTrue(e.getMessage().contains("2 DICOM series") && e.getMessage().contains(SERIES_A)
        && e.getMessage().contains(SERIES_B) && e.getMessage().contains("24 slices")
        && e.getMessage().contains("--series"), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"));
    FloatTensor hu = Npy.read(ROOT.resolve("hu_zyx.npy"));
    for (String uid : new String[] {SERIES_A, SERIES_B}) {
      Scan s = (Scan) VolumeIO.contents(ROOT.resolve("two_series"), uid);
      assertArrayEquals(hu.data(), s.image().data(), 0f, uid);
      double z = uid.equals(SERIES_A) ? -30 : 40;
      assertEquals(z, s.image().header().affine()[2][3], 1e-9, uid + ": first slice's z");
    }
    assertThrows(OptionValueException.class, () -> VolumeIO.contents(ROOT.resolve("two_series"), "1.2.3"));
  }

  @Test
  void jpegLosslessEqualsTheUncompressedSeries() {
    Scan jpeg = (Scan) VolumeIO.contents(ROOT.resolve("ct_jpeg_lossless"));
    Scan plain = (Scan) VolumeIO.contents(ROOT.resolve("ct_implicit"));
    assertArrayEquals(plain.image().data(), jpeg.image().data(), 0f);
    ScanFormatsTest.assertAffine(plain.image().header().affine(), jpeg.image().header().affine(), 0, "affine");
  }

  @Test
  void aMissingSliceIsWarnedAbout(@TempDir Path tmp) throws IOException {
    // ct_implicit's files are in slice order: without IM0010 one gap is 5 mm and the mean step 2.61 mm
    for (int k = 0; k < 24; k++) {
      if (k != 10) {
        String name = String.format(java.util.Locale.ROOT, "IM%04d.dcm", k);
        Files.copy(ROOT.resolve("ct_implicit").resolve(name), tmp.resolve(name));
      }
    }
    Scan scan = (Scan) VolumeIO.contents(tmp);
    assertEquals(2, scan.warnings().size(), scan.warnings().toString());
    assertTrue(scan.warnings().get(0).contains("unevenly spaced (2.500 to 5.000 mm)"), scan.warnings().get(0));
    assertTrue(scan.warnings().get(1).contains("2.614 mm apart but SliceThickness is 2.500 mm"), scan.warnings().get(1));
    assertEquals(57.5 / 22, scan.image().header().affine()[2][2], 1e-9, "the mean step of the positions");
  }

  @Test
  void bitsStoredMasksAndPixelRepresentationSignExtends(@TempDir Path tmp) throws IOException {
    // the same files said to hold 6 signed bits in the low bits: value = sign-extended (stored & 0x3f) - 1024
    for (int k = 0; k < 24; k++) {
      String name = String.format(java.util.Locale.ROOT, "IM%04d.dcm", k);
      byte[] b = Files.readAllBytes(ROOT.resolve("ct_implicit").resolve(name));
      setUnsignedShort(b, 0x0101, 6); // BitsStored
      setUnsignedShort(b, 0x0102, 5); // HighBit
      setUnsignedShort(b, 0x0103, 1); // PixelRepresentation: two's complement
      Files.write(tmp.resolve(name), b);
    }
    FloatTensor hu = Npy.read(ROOT.resolve("hu_zyx.npy"));
    float[] got = ((Scan) VolumeIO.contents(tmp)).image().data();
    int negative = 0;
    for (int i = 0; i < got.length; i++) {
      int stored = (int) hu.data()[i] + 1024;
      int low = stored & 0x3f;
      int signed = low >= 32 ? low - 64 : low;
      int expected = signed - 1024;
      negative += signed < 0 ? 1 : 0;
      assertEquals(expected, got[i], 0f, "voxel " + i);
    }
    assertTrue(negative > 1000, "the sign bit is exercised: " + negative);
  }

  /** Sets the implicit-VR (0028,eeee) US element of a file's bytes. */
  static void setUnsignedShort(byte[] b, int element, int value) {
    for (int i = 132; i + 10 <= b.length; i++) {
      if (b[i] == 0x28 && b[i + 1] == 0 && b[i + 2] == (byte) element && b[i + 3] == (byte) (element >> 8)
          && b[i + 4] == 2 && b[i + 5] == 0 && b[i + 6] == 0 && b[i + 7] == 0) {
        b[i + 8] = (byte) value;
        b[i + 9] = (byte) (value >> 8);
        return;
      }
    }
    fail("no (0028," + Integer.toHexString(element) + ") element");
  }

  static double[] apply(double[][] m, double x, double y, double z) {
    double[] out = new double[3];
    for (int r = 0; r < 3; r++) {
      out[r] = m[r][0] * x + m[r][1] * y + m[r][2] * z + m[r][3];
    }
    return out;
  }

  /** The inverse of an affine 4x4 (its 3x3 block inverted by cofactors). */
  static double[][] invert(double[][] m) {
    double a = m[0][0], b = m[0][1], c = m[0][2], d = m[1][0], e = m[1][1], f = m[1][2], g = m[2][0], h = m[2][1],
        k = m[2][2];
    double det = a * (e * k - f * h) - b * (d * k - f * g) + c * (d * h - e * g);
    double[][] r = {
      {(e * k - f * h) / det, (c * h - b * k) / det, (b * f - c * e) / det, 0},
      {(f * g - d * k) / det, (a * k - c * g) / det, (c * d - a * f) / det, 0},
      {(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det, 0},
      {0, 0, 0, 1}};
    for (int row = 0; row < 3; row++) {
      r[row][3] = -(r[row][0] * m[0][3] + r[row][1] * m[1][3] + r[row][2] * m[2][3]);
    }
    return r;
  }
}
