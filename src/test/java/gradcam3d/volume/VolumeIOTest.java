package gradcam3d.volume;

import static gradcam3d.volume.NiftiAssertions.assertAffine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model-facing adapter: layouts, channels, .npy inputs, masks and CAM output. */
class VolumeIOTest {
  private static final Path INPUTS = Path.of("src/test/resources/fixtures/inputs");
  private static final Path SEED = INPUTS.resolve("seed_unet3d.nii.gz");
  private static final double[][] FIXTURE_AFFINE = {
    {-0.800000011920929, 0.0, 0.0, 90.0},
    {0.0, -0.800000011920929, 0.0, 120.0},
    {0.0, 0.0, 2.5, -40.0},
    {0.0, 0.0, 0.0, 1.0}
  };

  @TempDir Path dir;

  /** A 4x3x2 (i, j, k) image, or 4x3x2xC, whose voxel (i, j, k, c) holds i + 10j + 100k + 1000c. */
  private Path coded(String name, int channels) {
    long[] shape = channels == 1 ? new long[] {4, 3, 2} : new long[] {4, 3, 2, channels};
    float[] data = new float[24 * channels];
    for (int c = 0; c < channels; c++) {
      for (int k = 0; k < 2; k++) {
        for (int j = 0; j < 3; j++) {
          for (int i = 0; i < 4; i++) {
            data[i + 4 * (j + 3 * (k + 2 * c))] = i + 10 * j + 100 * k + 1000 * c;
          }
        }
      }
    }
    NiftiHeader header = new NiftiHeader().withShape(shape);
    header.pixdim = new double[] {1, 0.5, 0.75, 2, 1, 1, 1, 1};
    header.sformCode = 1;
    header.srow = new double[][] {{0.5, 0, 0, -1}, {0, 0.75, 0, -2}, {0, 0, 2, -3}};
    Path file = dir.resolve(name);
    new NiftiWriter().write(new NiftiImage(name, header, data), file);
    return file;
  }

  private static float at(Volume v, long... index) {
    long[] shape = v.tensor().shape();
    long flat = 0;
    for (int axis = 0; axis < shape.length; axis++) {
      flat = flat * shape[axis] + index[axis];
    }
    return v.tensor().data()[(int) flat];
  }

  @Test
  void zyxReversesTheNiftiAxes() {
    Volume v = VolumeIO.read(coded("a.nii", 1), Layout.ZYX, 3);
    assertArrayEquals(new long[] {1, 2, 3, 4}, v.tensor().shape());
    assertArrayEquals(new long[] {2, 3, 4}, v.spatialShape());
    assertEquals(123, at(v, 0, 1, 2, 3)); // tensor[c, z, y, x] = nifti[x, y, z, c]
    assertEquals(21, at(v, 0, 0, 2, 1));
    assertArrayEquals(new double[] {2, 0.75, 0.5}, v.spacing(), 0);
    assertAffine(new double[][] {{0.5, 0, 0, -1}, {0, 0.75, 0, -2}, {0, 0, 2, -3}, {0, 0, 0, 1}},
        v.affine(), 0);
    assertArrayEquals(new long[] {1, 1, 2, 3, 4}, v.batch().shape());
  }

  @Test
  void xyzKeepsTheNiftiAxes() {
    Volume v = VolumeIO.read(coded("a.nii", 1), Layout.XYZ, 3);
    assertArrayEquals(new long[] {1, 4, 3, 2}, v.tensor().shape());
    assertEquals(123, at(v, 0, 3, 2, 1)); // tensor[c, i, j, k] = nifti[i, j, k, c]
    assertEquals(12, at(v, 0, 2, 1, 0));
    assertArrayEquals(new double[] {0.5, 0.75, 2}, v.spacing(), 0);
  }

  @Test
  void fourthNiftiAxisIsChannels() {
    Path file = coded("c.nii.gz", 3);
    Volume zyx = VolumeIO.read(file, Layout.ZYX, 3);
    assertArrayEquals(new long[] {3, 2, 3, 4}, zyx.tensor().shape());
    assertEquals(2123, at(zyx, 2, 1, 2, 3));
    Volume xyz = VolumeIO.read(file, Layout.XYZ, 3);
    assertArrayEquals(new long[] {3, 4, 3, 2}, xyz.tensor().shape());
    assertEquals(1012, at(xyz, 1, 2, 1, 0));
  }

  @Test
  void twoDimensionalImages() {
    float[] data = {0, 1, 2, 10, 11, 12}; // (i, j) = 3x2, value i + 10j
    Path flat = dir.resolve("flat.nii");
    new NiftiWriter().write(new NiftiImage("flat", new NiftiHeader().withShape(3, 2), data), flat);
    Volume zyx = VolumeIO.read(flat, Layout.ZYX, 2);
    assertArrayEquals(new long[] {1, 2, 3}, zyx.tensor().shape());
    assertEquals(12, at(zyx, 0, 1, 2));
    Volume xyz = VolumeIO.read(flat, Layout.XYZ, 2);
    assertArrayEquals(new long[] {1, 3, 2}, xyz.tensor().shape());
    assertEquals(12, at(xyz, 0, 2, 1));

    Path slice = dir.resolve("slice.nii");
    new NiftiWriter().write(new NiftiImage("slice", new NiftiHeader().withShape(3, 2, 1), data),
        slice);
    assertArrayEquals(new long[] {1, 2, 3}, VolumeIO.read(slice, Layout.ZYX, 2).tensor().shape());

    Gradcam3dException e = assertThrows(Gradcam3dException.class,
        () -> VolumeIO.read(SEED, Layout.ZYX, 2));
    assertTrue(e.getMessage().contains("is a 3D image (32x40x24 float32) but the model takes 2D"),
        e.getMessage());
  }

  @Test
  void imagesBeyondFourDimensionsAreRefused() {
    Path file = dir.resolve("5d.nii");
    new NiftiWriter().write(new NiftiImage("5d", new NiftiHeader().withShape(2, 2, 2, 1, 2),
        new float[16]), file);
    Gradcam3dException e = assertThrows(Gradcam3dException.class,
        () -> VolumeIO.read(file, Layout.ZYX, 3));
    assertTrue(e.getMessage().contains("is a 5D image (2x2x2x1x2 float32); inputs must be 2D, 3D,"
        + " or 4D with channels on the 4th axis"), e.getMessage());
  }

  @Test
  void npyInputsAreTheTensorAsIs() {
    Volume batched = VolumeIO.read(INPUTS.resolve("seed_unet3d.npy"), Layout.ZYX, 3);
    assertArrayEquals(new long[] {1, 24, 40, 32}, batched.tensor().shape());
    assertArrayEquals(new double[] {1, 1, 1}, batched.spacing(), 0);
    assertFalse(batched.geometry().isPresent());
    assertAffine(new double[][] {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}},
        batched.affine(), 0);

    FloatTensor spatialOnly = new FloatTensor(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3);
    Path plain = dir.resolve("plain.npy");
    Npy.write(spatialOnly, plain);
    Volume v = VolumeIO.read(plain, Layout.ZYX, 3);
    assertArrayEquals(new long[] {1, 1, 2, 3}, v.tensor().shape());
    Volume twoD = VolumeIO.read(plain, Layout.ZYX, 2);
    assertArrayEquals(new long[] {1, 2, 3}, twoD.tensor().shape()); // (C, Y, X)

    Gradcam3dException e = assertThrows(Gradcam3dException.class,
        () -> VolumeIO.read(INPUTS.resolve("seed_unet3d_batch2.npy"), Layout.ZYX, 3));
    assertTrue(e.getMessage().contains("shape [2, 1, 24, 40, 32] (a batch of 2; give one sample"),
        e.getMessage());
  }

  @Test
  void unknownFileType() throws java.io.IOException {
    java.nio.file.Files.write(dir.resolve("scan.img"), new byte[400]);
    Gradcam3dException e = assertThrows(Gradcam3dException.class,
        () -> VolumeIO.read(dir.resolve("scan.img"), Layout.ZYX, 3));
    assertTrue(e.getMessage().contains("must be .nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd or .npy files, or a DICOM"
        + " series"), e.getMessage());
  }

  @Test
  void layoutNamesParse() {
    assertSame(Layout.ZYX, Layout.parse(" zyx "));
    assertSame(Layout.XYZ, Layout.parse("XYZ"));
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> Layout.parse("RAS"));
    assertTrue(e.getMessage().contains("unknown layout 'RAS'; use ZYX"), e.getMessage());
  }

  @Test
  void severalFilesBecomeChannels() {
    Path a = coded("a.nii", 1);
    Path b = coded("b.nii.gz", 2);
    Volume v = VolumeIO.read(List.of(a, b), Layout.ZYX, 3);
    assertArrayEquals(new long[] {3, 2, 3, 4}, v.tensor().shape());
    assertEquals(123, at(v, 0, 1, 2, 3));
    assertEquals(123, at(v, 1, 1, 2, 3));
    assertEquals(1123, at(v, 2, 1, 2, 3));
    assertEquals(a + " + " + b, v.source());

    Volume fromNpy = Volume.ofTensor("x.npy", FloatTensor.zeros(1, 2, 3, 4), Layout.ZYX);
    Volume mixed = Volume.stack(List.of(fromNpy, VolumeIO.read(a, Layout.ZYX, 3)));
    assertEquals(2, mixed.channels());
    assertTrue(mixed.geometry().isPresent(), "geometry comes from the NIfTI part");
  }

  @Test
  void channelsMustShareTheVoxelGrid() {
    Path other = INPUTS.resolve("list_encoder3d.nii.gz");
    Gradcam3dException e = assertThrows(Gradcam3dException.class,
        () -> VolumeIO.read(List.of(SEED, other), Layout.ZYX, 3));
    assertEquals("cannot use " + SEED + " (shape [1, 24, 40, 32]) and " + other
        + " (shape [1, 16, 24, 32]) as channels of one input: their shapes differ.",
        e.getMessage());

    NiftiImage seed = NiftiReader.read(SEED);
    NiftiHeader moved = seed.header().copy();
    moved.srow[2][3] += 0.01;
    Path shifted = dir.resolve("shifted.nii");
    new NiftiWriter().write(new NiftiImage("shifted", moved, seed.data()), shifted);
    e = assertThrows(Gradcam3dException.class,
        () -> VolumeIO.read(List.of(SEED, shifted), Layout.ZYX, 3));
    assertTrue(e.getMessage().contains("their affines differ by up to 0.0"), e.getMessage());
    assertTrue(e.getMessage().contains(shifted.toString()), e.getMessage());

    moved.srow[2][3] = seed.header().srow[2][3] + 1e-5; // within the 1e-4 tolerance
    new NiftiWriter().write(new NiftiImage("nudged", moved, seed.data()), shifted);
    assertEquals(2, VolumeIO.read(List.of(SEED, shifted), Layout.ZYX, 3).channels());
  }

  @Test
  void camIsWrittenInTheInputFilesVoxelOrderAndGeometry() {
    for (Layout layout : Layout.values()) {
      Volume input = VolumeIO.read(SEED, layout, 3);
      long[] s = input.spatialShape();
      float[] cam = new float[(int) (s[0] * s[1] * s[2])];
      for (int i = 0; i < cam.length; i++) {
        cam[i] = i; // the tensor's own C-order index
      }
      Path out = dir.resolve("cam-" + layout + ".nii.gz");
      VolumeIO.writeCam(new FloatTensor(cam, s), input, out);

      NiftiImage back = NiftiReader.read(out);
      NiftiHeader h = back.header();
      assertArrayEquals(new long[] {32, 40, 24}, back.shape(), layout.name());
      assertEquals(NiftiDatatype.FLOAT32, h.datatype);
      assertAffine(FIXTURE_AFFINE, h.affine(), 0);
      assertEquals(2, h.sformCode);
      assertEquals(2, h.xyztUnits);
      assertEquals(0.8f, h.pixdim[1], 0);
      assertEquals(2.5, h.pixdim[3], 0);
      assertEquals(0, h.calMin, 0);
      assertEquals(cam.length - 1, h.calMax, 0);
      for (int[] voxel : new int[][] {{0, 0, 0}, {31, 39, 23}, {3, 4, 5}, {17, 2, 11}}) {
        int i = voxel[0];
        int j = voxel[1];
        int k = voxel[2];
        // ZYX: tensor (k, j, i) of shape (24, 40, 32); XYZ: tensor (i, j, k) of shape (32, 40, 24)
        float expected = layout == Layout.ZYX ? (k * 40 + j) * 32 + i : (i * 40 + j) * 24 + k;
        assertEquals(expected, back.get(i, j, k), layout + " voxel " + i + "," + j + "," + k);
      }
    }
  }

  @Test
  void camOfAFourDimensionalInputIsThreeDimensional() {
    Volume input = VolumeIO.read(INPUTS.resolve("nnunet_like3d.nii.gz"), Layout.ZYX, 3);
    Path out = dir.resolve("cam.nii");
    VolumeIO.writeCam(FloatTensor.zeros(input.spatialShape()), input, out);
    NiftiImage back = NiftiReader.read(out);
    assertEquals(3, back.header().dim[0]);
    assertArrayEquals(new long[] {32, 32, 16}, back.shape());
    assertAffine(FIXTURE_AFFINE, back.header().affine(), 0);
  }

  @Test
  void camOfAnNpyInputHasUnitVoxels() {
    Volume input = VolumeIO.read(INPUTS.resolve("seed_unet3d.npy"), Layout.ZYX, 3);
    Path out = dir.resolve("cam.nii");
    VolumeIO.writeCam(FloatTensor.zeros(24, 40, 32), input, out);
    NiftiImage back = NiftiReader.read(out);
    assertArrayEquals(new long[] {32, 40, 24}, back.shape());
    assertAffine(new double[][] {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}},
        back.header().affine(), 0);
  }

  @Test
  void camOfTheWrongShapeIsRefused() {
    Volume input = VolumeIO.read(SEED, Layout.ZYX, 3);
    Gradcam3dException e = assertThrows(Gradcam3dException.class,
        () -> VolumeIO.writeCam(FloatTensor.zeros(24, 40, 31), input, dir.resolve("cam.nii")));
    assertTrue(e.getMessage().contains("it has shape [24, 40, 31] but the input " + SEED
        + " has spatial shape [24, 40, 32]"), e.getMessage());
  }

  @Test
  void maskShapeMustMatch() {
    Path mask = INPUTS.resolve("seed_unet3d_mask.nii.gz");
    Gradcam3dException e = assertThrows(Gradcam3dException.class,
        () -> VolumeIO.readMask(mask, Layout.ZYX, new long[] {16, 24, 32}));
    assertEquals("the mask " + mask + " has shape [24, 40, 32] (ZYX tensor order) but the input's"
        + " spatial shape is [16, 24, 32].", e.getMessage());

    Path twoChannels = coded("two.nii", 2);
    e = assertThrows(Gradcam3dException.class,
        () -> VolumeIO.readMask(twoChannels, Layout.ZYX, new long[] {2, 3, 4}));
    assertTrue(e.getMessage().contains("has shape [2, 2, 3, 4]"), e.getMessage());
  }

  @Test
  void maskFollowsTheLayoutAndThresholdsAtZero() {
    Path file = coded("m.nii", 1);
    FloatTensor zyx = VolumeIO.readMask(file, Layout.ZYX, new long[] {2, 3, 4});
    assertArrayEquals(new long[] {2, 3, 4}, zyx.shape());
    assertEquals(0, zyx.data()[0], 0); // voxel (0, 0, 0) holds 0
    assertEquals(23, NiftiAssertions.sum(zyx.data()), 0);
    FloatTensor xyz = VolumeIO.readMask(file, Layout.XYZ, new long[] {4, 3, 2});
    assertArrayEquals(new long[] {4, 3, 2}, xyz.shape());

    Path npy = dir.resolve("m.npy");
    Npy.write(new FloatTensor(new float[] {-1, 0, 0.5f, 3}, 1, 1, 2, 2), npy);
    assertArrayEquals(new float[] {0, 0, 1, 1},
        VolumeIO.readMask(npy, Layout.ZYX, new long[] {2, 2}).data());
  }

  @Test
  void maskWithNanIsRefused() {
    Path npy = dir.resolve("nan-mask.npy");
    Npy.write(new FloatTensor(new float[] {0, Float.NaN, 1, 1}, 2, 2), npy);
    Gradcam3dException e = assertThrows(Gradcam3dException.class,
        () -> VolumeIO.readMask(npy, Layout.ZYX, new long[] {2, 2}));
    assertEquals(npy + " contains NaN/infinite voxels (first at index [0, 0, 1]: NaN).",
        e.getMessage());
  }
}
