package gradcam3d.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;

/** Shared checks for the NIfTI tests. */
final class NiftiAssertions {
  private NiftiAssertions() {}

  static void assertAffine(double[][] expected, double[][] actual, double tolerance) {
    assertEquals(4, actual.length);
    for (int r = 0; r < 4; r++) {
      assertArrayEquals(expected[r], actual[r], tolerance, "affine row " + r);
    }
  }

  /** Sum in double, as a checksum comparable to numpy's float64 sum. */
  static double sum(float[] data) {
    double s = 0;
    for (float v : data) {
      s += v;
    }
    return s;
  }

  /**
   * Refuses an image with a NaN or infinite voxel (named by its file-order index i,j,k,...), as
   * {@link Volume#requireFinite} does for the volume made from it.
   */
  static NiftiImage requireFinite(NiftiImage image) {
    float[] data = image.data();
    for (int index = 0; index < data.length; index++) {
      if (!Float.isFinite(data[index])) {
        throw new Gradcam3dException(FloatTensor.nonFiniteMessage(image.source(), "voxel " + voxelOf(image, index),
            data[index]));
      }
    }
    return image;
  }

  private static String voxelOf(NiftiImage image, int index) {
    StringBuilder text = new StringBuilder();
    long rest = index;
    for (long size : image.shape()) {
      if (text.length() > 0) {
        text.append(',');
      }
      text.append(rest % size);
      rest /= size;
    }
    return text.toString();
  }
}
