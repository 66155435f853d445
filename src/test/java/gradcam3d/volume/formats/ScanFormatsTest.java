package gradcam3d.volume.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.volume.NiftiHeader;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.NiftiReader;
import gradcam3d.volume.Scan;
import gradcam3d.volume.VolumeFormat;
import gradcam3d.volume.VolumeIO;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shared format fixtures (../shared/fixtures/formats, copied to src/test/resources/formats):
 * one CT-like int16 volume with an oblique geometry, written by nibabel as NIfTI (the reference)
 * and to the formats' specifications as NRRD (raw, gzip, detached) and MetaImage (raw, zlib,
 * detached). Each must read as the NIfTI's voxels with its affine (RAS) within 1e-5.
 */
class ScanFormatsTest {
  static final Path ROOT = Path.of("src/test/resources/formats");

  static Stream<String> files() {
    return Stream.of("ct_raw.nrrd", "ct_gzip.nrrd", "ct_detached.nhdr", "ct_raw.mha", "ct_zlib.mha", "ct_detached.mhd");
  }

  @ParameterizedTest
  @MethodSource("files")
  void readsAsTheNifti(String name) {
    NiftiImage reference = NiftiReader.read(ROOT.resolve("ct.nii.gz"));
    Scan scan = (Scan) VolumeIO.contents(ROOT.resolve(name));
    assertEquals(name.contains("nrrd") || name.contains("nhdr") ? VolumeFormat.NRRD : VolumeFormat.METAIMAGE,
        scan.format());
    assertArrayEquals(reference.shape(), scan.image().shape(), name);
    assertArrayEquals(reference.data(), scan.image().data(), 0f, name + ": voxel values");
    NiftiHeader h = scan.image().header();
    assertAffine(reference.header().affine(), h.affine(), 1e-5, name + " sform");
    assertAffine(reference.header().affine(), h.qformAffine(), 1e-5, name + " qform");
    for (int a = 1; a <= 3; a++) {
      assertEquals(reference.header().pixdim[a], h.pixdim[a], 1e-5, name + " pixdim " + a);
    }
    assertTrue(h.sformCode == 1 && h.qformCode == 1, name + ": scanner sform and qform");
  }

  static void assertAffine(double[][] expected, double[][] actual, double tolerance, String what) {
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 4; c++) {
        assertEquals(expected[r][c], actual[r][c], tolerance, what + " [" + r + "][" + c + "]");
      }
    }
  }
}
