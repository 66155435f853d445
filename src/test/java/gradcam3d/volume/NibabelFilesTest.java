package gradcam3d.volume;

import static gradcam3d.volume.NiftiAssertions.assertAffine;
import static gradcam3d.volume.NiftiAssertions.sum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gradcam3d.tensor.FloatTensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Files written by nibabel 5.0 read as nibabel reads them. Every expected number was printed by
 * nibabel (get_fdata, affine, header fields); see src/test/resources/volume/make_nibabel_files.py.
 */
class NibabelFilesTest {
  private static final Path INPUTS = Path.of("src/test/resources/fixtures/inputs");
  private static final Path VOLUME = Path.of("src/test/resources/volume");
  private static final Path DEMO = Path.of("src/main/resources/gradcam3d/demo");

  /** The affine shared by all fixture inputs (sform_code 2). */
  private static final double[][] FIXTURE_AFFINE = {
    {-0.800000011920929, 0.0, 0.0, 90.0},
    {0.0, -0.800000011920929, 0.0, 120.0},
    {0.0, 0.0, 2.5, -40.0},
    {0.0, 0.0, 0.0, 1.0}
  };

  @Test
  void seedUnetInputMatchesNibabel() {
    NiftiImage image = NiftiReader.read(INPUTS.resolve("seed_unet3d.nii.gz"));
    NiftiHeader h = image.header();
    assertArrayEquals(new long[] {32, 40, 24}, image.shape());
    assertEquals(NiftiDatatype.FLOAT32, h.datatype);
    assertEquals(352, h.voxOffset);
    assertEquals(2, h.sformCode);
    assertEquals(0, h.qformCode);
    assertEquals(2, h.xyztUnits);
    assertArrayEquals(new double[] {1, 0.8f, 0.8f, 2.5, 1, 1, 1, 1}, h.pixdim, 0);
    assertAffine(FIXTURE_AFFINE, h.affine(), 0);
    assertEquals(676.5106932925562, sum(image.data()), 1e-6);
    assertEquals((float) -0.21492180228233337, image.get(0, 0, 0));
    assertEquals((float) 0.0620124451816082, image.get(16, 20, 12));
    assertEquals((float) 0.15914557874202728, image.get(31, 39, 23));
    assertEquals((float) -0.05574054643511772, image.get(3, 4, 5));
  }

  @Test
  void listEncoderInputMatchesNibabel() {
    NiftiImage image = NiftiReader.read(INPUTS.resolve("list_encoder3d.nii.gz"));
    assertArrayEquals(new long[] {32, 24, 16}, image.shape());
    assertAffine(FIXTURE_AFFINE, image.header().affine(), 0);
    assertEquals(229.69110788791295, sum(image.data()), 1e-6);
    assertEquals((float) -0.050764165818691254, image.get(0, 0, 0));
    assertEquals((float) -0.035465020686388016, image.get(16, 12, 8));
    assertEquals((float) 0.03509972617030144, image.get(31, 23, 15));
    assertEquals((float) -0.015816234052181244, image.get(3, 4, 5));
  }

  @Test
  void twoChannelInputMatchesNibabel() {
    NiftiImage image = NiftiReader.read(INPUTS.resolve("nnunet_like3d.nii.gz"));
    assertArrayEquals(new long[] {32, 32, 16, 2}, image.shape());
    assertEquals(4, image.header().dim[0]);
    assertAffine(FIXTURE_AFFINE, image.header().affine(), 0);
    assertEquals(648.9214194798727, sum(image.data()), 1e-6);
    assertEquals((float) -0.04739750921726227, image.get(0, 0, 0, 0));
    assertEquals((float) -0.026163391768932343, image.get(16, 16, 8, 1));
    assertEquals((float) -0.09087470918893814, image.get(31, 31, 15, 1));
    assertEquals((float) 0.04173288866877556, image.get(3, 4, 5, 1));
  }

  @Test
  void uint8MasksMatchNibabel() {
    String[] names = {"seed_unet3d_mask", "list_encoder3d_mask", "nnunet_like3d_mask"};
    double[] sums = {1033, 270, 463};
    long[][] shapes = {{32, 40, 24}, {32, 24, 16}, {32, 32, 16}};
    for (int m = 0; m < names.length; m++) {
      NiftiImage mask = NiftiReader.read(INPUTS.resolve(names[m] + ".nii.gz"));
      assertEquals(NiftiDatatype.UINT8, mask.header().datatype, names[m]);
      assertArrayEquals(shapes[m], mask.shape(), names[m]);
      assertAffine(FIXTURE_AFFINE, mask.header().affine(), 0);
      assertEquals(sums[m], sum(mask.data()), 0, names[m]);
    }
  }

  @Test
  void demoCaseMatchesNibabel() {
    NiftiImage image = NiftiReader.read(DEMO.resolve("demo_case1.nii.gz"));
    assertArrayEquals(new long[] {48, 48, 40}, image.shape());
    assertEquals(NiftiDatatype.FLOAT32, image.header().datatype);
    assertAffine(new double[][] {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1.5, 0}, {0, 0, 0, 1}},
        image.header().affine(), 0);
    assertEquals(3894.3299400110864, sum(image.data()), 1e-5);
    assertEquals(0.04225618424491196, sum(image.data()) / image.data().length, 1e-9);
    assertEquals((float) 0.45886972546577454, image.get(0, 0, 0));
    assertEquals((float) -0.11493364721536636, image.get(24, 24, 20));
    assertEquals((float) -0.2506164312362671, image.get(47, 47, 39));
    assertEquals((float) 0.39806196093559265, image.get(3, 4, 5));

    NiftiImage label = NiftiReader.read(DEMO.resolve("demo_case1_label.nii.gz"));
    assertEquals(NiftiDatatype.UINT8, label.header().datatype);
    assertArrayEquals(new long[] {48, 48, 40}, label.shape());
    assertEquals(3658, sum(label.data()), 0);
  }

  @Test
  void zyxVolumesEqualTheirNpyTwinsExactly() {
    for (String name : new String[] {"seed_unet3d", "list_encoder3d", "nnunet_like3d"}) {
      Volume volume = VolumeIO.read(INPUTS.resolve(name + ".nii.gz"), Layout.ZYX, 3);
      FloatTensor twin = Npy.read(INPUTS.resolve(name + ".npy"));
      assertArrayEquals(twin.shape(), volume.batch().shape(), name);
      assertArrayEquals(twin.data(), volume.tensor().data(), name);
    }
    Volume seed = VolumeIO.read(INPUTS.resolve("seed_unet3d.nii.gz"), Layout.ZYX, 3);
    assertArrayEquals(new long[] {1, 24, 40, 32}, seed.tensor().shape());
    assertArrayEquals(new double[] {2.5, 0.8f, 0.8f}, seed.spacing(), 0);
    Volume twoChannels = VolumeIO.read(INPUTS.resolve("nnunet_like3d.nii.gz"), Layout.ZYX, 3);
    assertEquals(2, twoChannels.channels());
  }

  @Test
  void masksEqualTheirNpyTwinsAfterBinarising() {
    String[] masks = {"seed_unet3d_mask", "list_encoder3d_mask", "nnunet_like3d_mask"};
    for (String name : masks) {
      FloatTensor twin = Npy.read(INPUTS.resolve(name + ".npy"));
      FloatTensor fromNifti = VolumeIO.readMask(INPUTS.resolve(name + ".nii.gz"), Layout.ZYX,
          twin.shape());
      FloatTensor fromNpy = VolumeIO.readMask(INPUTS.resolve(name + ".npy"), Layout.ZYX,
          twin.shape());
      assertArrayEquals(fromNpy.data(), fromNifti.data(), name);
      float[] expected = twin.data().clone();
      for (int i = 0; i < expected.length; i++) {
        expected[i] = expected[i] > 0 ? 1 : 0;
      }
      assertArrayEquals(expected, fromNifti.data(), name);
    }
    // nibabel: the masks hold labels 1 and 2; (mask > 0).sum() is 752, 232 and 335
    assertEquals(752, sum(VolumeIO.readMask(INPUTS.resolve("seed_unet3d_mask.nii.gz"), Layout.ZYX,
        new long[] {24, 40, 32}).data()), 0);
    assertEquals(232, sum(VolumeIO.readMask(INPUTS.resolve("list_encoder3d_mask.nii.gz"),
        Layout.ZYX, new long[] {16, 24, 32}).data()), 0);
    assertEquals(335, sum(VolumeIO.readMask(INPUTS.resolve("nnunet_like3d_mask.nii.gz"),
        Layout.XYZ, new long[] {32, 32, 16}).data()), 0);
  }

  @Test
  void bigEndianScaledInt16WithQformMatchesNibabel() {
    NiftiImage image = NiftiReader.read(VOLUME.resolve("be_int16_qform.nii"));
    NiftiHeader h = image.header();
    assertArrayEquals(new long[] {5, 4, 3}, image.shape());
    assertEquals(NiftiDatatype.INT16, h.datatype);
    assertEquals(0.0005514215445145965, h.sclSlope, 0);
    assertEquals(17.93490219116211, h.sclInter, 0);
    assertEquals(1, h.qformCode);
    assertEquals(0, h.sformCode);
    assertEquals(-1, h.pixdim[0], 0);
    assertEquals(10, h.xyztUnits);
    assertAffine(new double[][] {
      {1.7320508106047185, -0.7499999960563265, 0.0, 10.0},
      {0.9999999947417687, 1.299038107953539, 0.0, -20.0},
      {0.0, 0.0, -3.0, 5.0},
      {0.0, 0.0, 0.0, 1.0}
    }, h.affine(), 1e-6);
    assertEquals(1099.5135526657104, sum(image.data()), 1e-6); // float32 values summed
    assertEquals(20.009901463170536, image.get(0, 0, 0), 1e-5);
    assertEquals(14.594941896037199, image.get(4, 3, 2), 1e-5);
    assertEquals(9.246152914245613, image.get(1, 1, 1), 1e-5);
  }

  @Test
  void obliqueQformWithNegativeQfacMatchesNibabel() {
    NiftiHeader h = new NiftiHeader();
    h.pixdim = new double[] {-1, 0.75, 1.25, 2.5, 1, 1, 1, 1};
    h.qformCode = 1;
    h.quaternB = 0.125;
    h.quaternC = -0.25;
    h.quaternD = 0.5;
    h.qoffsetX = -90.5;
    h.qoffsetY = 120.25;
    h.qoffsetZ = 33;
    // nibabel's affine for a file written with this header
    assertAffine(new double[][] {
      {0.28125, -1.1027247694221876, 0.7120997694221876, -90.5},
      {0.5678848616533125, 0.5859375, 1.1372998847110938, 120.25},
      {0.40112993082665627, -0.0563500576444531, -2.109375, 33.0},
      {0.0, 0.0, 0.0, 1.0}
    }, h.affine(), 1e-12);
  }

  @Test
  void nifti2Float64FourDimensionalMatchesNibabel() {
    NiftiImage image = NiftiReader.read(VOLUME.resolve("nifti2_float64_4d.nii.gz"));
    NiftiHeader h = image.header();
    assertArrayEquals(new long[] {4, 3, 2, 2}, image.shape());
    assertEquals(NiftiDatatype.FLOAT64, h.datatype);
    assertEquals(544, h.voxOffset);
    assertEquals("nibabel nifti2 float64", h.descrip);
    assertAffine(new double[][] {
      {0.6761480784023478, 0.18117333157176455, 0.0, -5.5},
      {-0.18117333157176455, 0.6761480784023478, 0.0, 3.25},
      {0.0, 0.0, 1.2, 40.0},
      {0.0, 0.0, 0.0, 1.0}
    }, h.affine(), 1e-15);
    assertEquals(-4.285024853486299, sum(image.data()), 1e-6);
    assertEquals((float) 0.20313861038960904, image.get(0, 0, 0, 0));
    assertEquals((float) 0.49301329141235634, image.get(3, 2, 1, 1));
    assertEquals((float) 1.5235294004561601, image.get(1, 1, 1, 1));
  }

  @Test
  void otherIntegerTypesMatchNibabel() {
    Object[][] cases = {
      {"int8.nii", NiftiDatatype.INT8, -12.0, -128.0, 127.0, -28.0},
      // the uint32 sum is over float32 values (nibabel's exact sum is 47999999989)
      {"uint32.nii", NiftiDatatype.UINT32, 48000000240.0, 0.0, 4000000000.0, 1565217391.0},
      {"int64.nii", NiftiDatatype.INT64, 0.0, -1099511627776.0, 1099511627776.0, -239024266907.0}
    };
    for (Object[] c : cases) {
      NiftiImage image = NiftiReader.read(VOLUME.resolve((String) c[0]));
      assertEquals(c[1], image.header().datatype, (String) c[0]);
      assertArrayEquals(new long[] {4, 3, 2}, image.shape());
      assertAffine(new double[][] {{1, 0, 0, 0}, {0, 2, 0, 0}, {0, 0, 3, 0}, {0, 0, 0, 1}},
          image.header().affine(), 0);
      assertEquals((double) c[2], sum(image.data()), 0);
      assertEquals((float) (double) c[3], image.get(0, 0, 0));
      assertEquals((float) (double) c[4], image.get(3, 2, 1));
      assertEquals((float) (double) c[5], image.get(1, 1, 1));
    }
  }
}
