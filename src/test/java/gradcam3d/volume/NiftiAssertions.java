package gradcam3d.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
