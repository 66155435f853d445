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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Voxel sizes (pixdim) that are NaN or infinite: with a usable sform they fall back to the
 * sform's column lengths (as a NaN sform falls back to the qform), so the CAM's header carries
 * finite sizes; with nothing to fall back on the file is refused.
 */
class NiftiVoxelSizeTest {
  @TempDir
  Path tmp;

  /** A NIfTI-1 file whose pixdim[axis] is overwritten with {@code value} after writing. */
  private byte[] file(int sformCode, int qformCode, int axis, float value) throws IOException {
    NiftiHeader h = new NiftiHeader().withShape(6, 5, 4);
    h.sformCode = sformCode;
    h.qformCode = qformCode;
    h.srow = new double[][] {{0.8, 0, 0, -5}, {0, 0, -1.2, 3}, {0, 2.5, 0, 7}};
    h.pixdim = new double[] {1, 0.8, 2.5, 1.2, 1, 1, 1, 1};
    Path f = tmp.resolve("v" + sformCode + qformCode + axis + ".nii");
    new NiftiWriter().write(new NiftiImage("v", h, new float[6 * 5 * 4]), f);
    byte[] b = Files.readAllBytes(f);
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(76 + 4 * axis, value);
    return b;
  }

  @Test
  void nonFiniteVoxelSizesFallBackToTheSform() throws IOException {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
      NiftiHeader h = NiftiReader.parse(file(1, 0, 1, bad), "nan.nii").header();
      assertEquals(0.8, h.pixdim[1], 1e-6);
      h = NiftiReader.parse(file(2, 1, 2, bad), "nan.nii").header();
      assertEquals(2.5, h.pixdim[2], 1e-6, "the length of the sform's second column");
      h = NiftiReader.parse(file(1, 0, 3, bad), "nan.nii").header();
      assertEquals(1.2, h.pixdim[3], 1e-6);
      for (int a = 1; a <= 3; a++) {
        assertTrue(Double.isFinite(h.pixdim[a]));
      }
    }
  }

  @Test
  void nonFiniteVoxelSizesWithoutAnSformAreRefused() throws IOException {
    byte[] qformOnly = file(0, 1, 1, Float.NaN);
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> NiftiReader.parse(qformOnly, "q.nii"));
    assertTrue(e.getMessage().contains("q.nii") && e.getMessage().contains("NaN"), e.getMessage());
    byte[] none = file(0, 0, 2, Float.NaN);
    e = assertThrows(Gradcam3dException.class, () -> NiftiReader.parse(none, "n.nii"));
    assertTrue(e.getMessage().contains("NaN"), e.getMessage());
  }
}
