package gradcam3d.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged or unsupported files fail with a message that says what is wrong. */
class NiftiCorruptInputTest {
  private static final Path SEED = Path.of("src/test/resources/fixtures/inputs/seed_unet3d.nii.gz");

  @TempDir Path dir;

  @Test
  void missingFile() {
    assertFails(dir.resolve("absent.nii.gz"), "absent.nii.gz does not exist");
  }

  @Test
  void truncatedGzip() throws IOException {
    byte[] whole = Files.readAllBytes(SEED);
    Path file = dir.resolve("cut.nii.gz");
    Files.write(file, Arrays.copyOf(whole, whole.length / 2));
    assertFails(file, "cut.nii.gz is a truncated or corrupt gzip file");
  }

  @Test
  void corruptGzip() throws IOException {
    byte[] bytes = Files.readAllBytes(SEED);
    for (int i = 200; i < 260; i++) {
      bytes[i] ^= 0x5a;
    }
    Path file = dir.resolve("garbled.nii.gz");
    Files.write(file, bytes);
    assertFails(file, "garbled.nii.gz is a truncated or corrupt gzip file");
  }

  @Test
  void notNiftiAtAll() throws IOException {
    Path file = dir.resolve("notes.nii");
    Files.writeString(file, "these are not the voxels you are looking for");
    assertFails(file, "notes.nii is not a NIfTI-1/2 file");
  }

  @Test
  void badMagic() throws IOException {
    Path file = patched("magic.nii", b -> b.put(345, (byte) 'x'));
    assertFails(file, "magic.nii is not a NIfTI-1/2 file (bad magic");
    Path nifti2 = patched2("magic2.nii", b -> b.put(9, (byte) 0));
    assertFails(nifti2, "magic2.nii is not a NIfTI-1/2 file (bad magic");
  }

  @Test
  void headerOfAPairIsNamedAsSuch() throws IOException {
    Path file = patched("pair.nii", b -> b.put(345, (byte) 'i'));
    assertFails(file, ".hdr/.img pair, which is not supported");
  }

  @Test
  void truncatedHeader() throws IOException {
    Path file = dir.resolve("short.nii");
    byte[] head = ByteBuffer.allocate(100).order(ByteOrder.LITTLE_ENDIAN).putInt(348).array();
    Files.write(file, head);
    assertFails(file, "short.nii is truncated: it ends inside the NIfTI-1 header (100 of 348");
  }

  @Test
  void dataShorterThanTheDimsSay() throws IOException {
    Path file = written("short-data.nii", 40, 48, 48);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 4));
    assertFails(file, "short-data.nii: header says 40x48x48 float32 (368640 bytes) but the file"
        + " holds 368636 bytes after vox_offset 352");
  }

  @Test
  void dataLongerThanTheDimsSay() throws IOException {
    Path file = patched("long-data.nii", b -> b.putShort(46, (short) 2)); // dim[3]: 3 -> 2
    assertFails(file, "header says 5x4x2 float32 (160 bytes) but the file holds 240 bytes");
  }

  @Test
  void unsupportedDatatypes() throws IOException {
    Path rgb = patched("rgb.nii", b -> b.putShort(70, (short) 128));
    assertFails(rgb, "rgb.nii has NIfTI datatype 128 (RGB24), which is not supported");
    Path complex = patched2("complex.nii", b -> b.putShort(12, (short) 32));
    assertFails(complex, "complex.nii has NIfTI datatype 32 (complex64), which is not supported");
  }

  @Test
  void dimensionCountOutOfRange() throws IOException {
    assertFails(patched("dim0.nii", b -> b.putShort(40, (short) 0)),
        "dim[0] (the number of dimensions) is 0, but it must be between 1 and 7");
    assertFails(patched("dim8.nii", b -> b.putShort(40, (short) 8)),
        "dim[0] (the number of dimensions) is 8");
  }

  @Test
  void nonPositiveDimension() throws IOException {
    assertFails(patched("dim2.nii", b -> b.putShort(44, (short) -4)),
        "dim[2] is -4, but every image dimension must be positive");
  }

  @Test
  void voxOffsetInsideTheHeader() throws IOException {
    assertFails(patched("offset.nii", b -> b.putFloat(108, 100)),
        "vox_offset 100 points inside the header");
  }

  @Test
  void scaledImageWithoutFiniteIntercept() throws IOException {
    Path file = patched("inter.nii", b -> b.putFloat(112, 2).putFloat(116, Float.NaN));
    assertFails(file, "scl_slope is 2.0 but scl_inter is NaN");
  }

  @Test
  void qformQuaternionLongerThanOne() throws IOException {
    Path file = patched("quat.nii", b -> b.putShort(252, (short) 1).putShort(254, (short) 0)
        .putFloat(256, 0.9f).putFloat(260, 0.9f));
    assertFails(file, "quat.nii: the qform quaternion");
  }

  @Test
  void nanVoxelsAreRefusedWhenAsked() {
    float[] data = new float[5 * 4 * 3];
    data[3 + 5 * (2 + 4 * 1)] = Float.NaN; // voxel (3, 2, 1)
    data[59] = Float.POSITIVE_INFINITY;
    Path file = dir.resolve("nan.nii.gz");
    new NiftiWriter()
        .write(new NiftiImage("nan", new NiftiHeader().withShape(5, 4, 3), data), file);
    NiftiImage image = NiftiReader.read(file); // reading alone does not judge the values
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> NiftiAssertions.requireFinite(image));
    assertEquals(file + " contains NaN/infinite voxels (first at voxel 3,2,1: NaN).",
        e.getMessage());

    Volume zyx = VolumeIO.read(file, Layout.ZYX, 3);
    e = assertThrows(Gradcam3dException.class, zyx::requireFinite);
    assertTrue(e.getMessage().contains("(first at voxel 3,2,1: NaN)"), e.getMessage());
    Volume xyz = VolumeIO.read(file, Layout.XYZ, 3);
    e = assertThrows(Gradcam3dException.class, xyz::requireFinite);
    assertTrue(e.getMessage().contains("(first at voxel 3,2,1: NaN)"), e.getMessage());
  }

  @Test
  void infiniteVoxelInAFourDimensionalImageNamesTheChannel() {
    float[] data = new float[2 * 2 * 2 * 3];
    data[1 + 2 * (0 + 2 * (1 + 2 * 2))] = Float.NEGATIVE_INFINITY; // voxel (1, 0, 1), channel 2
    Path file = dir.resolve("inf.nii");
    new NiftiWriter().write(new NiftiImage("inf", new NiftiHeader().withShape(2, 2, 2, 3), data),
        file);
    Gradcam3dException e = assertThrows(Gradcam3dException.class,
        () -> NiftiAssertions.requireFinite(NiftiReader.read(file)));
    assertTrue(e.getMessage().contains("first at voxel 1,0,1,2: -Infinity"), e.getMessage());
    e = assertThrows(Gradcam3dException.class,
        () -> VolumeIO.read(file, Layout.ZYX, 3).requireFinite());
    assertTrue(e.getMessage().contains("first at voxel 1,0,1 of channel 2"), e.getMessage());
  }

  private static void assertFails(Path file, String expectedPart) {
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> NiftiReader.read(file));
    assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
  }

  /** A little-endian NIfTI-1 float32 file of the given shape, zeros. */
  private Path written(String name, long... shape) {
    Path file = dir.resolve(name);
    int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    new NiftiWriter().write(new NiftiImage(name, new NiftiHeader().withShape(shape), new float[n]),
        file);
    return file;
  }

  /** A valid 5x4x3 NIfTI-1 file with its bytes then changed by {@code edit}. */
  private Path patched(String name, Consumer<ByteBuffer> edit) throws IOException {
    return patch(written(name, 5, 4, 3), edit);
  }

  /** As {@link #patched}, NIfTI-2. */
  private Path patched2(String name, Consumer<ByteBuffer> edit) throws IOException {
    Path file = dir.resolve(name);
    new NiftiTestWriter().version(2)
        .write(new NiftiImage(name, new NiftiHeader().withShape(5, 4, 3), new float[60]), file);
    return patch(file, edit);
  }

  private static Path patch(Path file, Consumer<ByteBuffer> edit) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    edit.accept(bytes);
    Files.write(file, bytes.array());
    return file;
  }
}
