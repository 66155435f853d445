package gradcam3d.tensor;

import static gradcam3d.testing.Tensors.maxAbs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The early-stopping empty-map check ({@link FloatTensor#isZero}, asked of every case's map by
 * summary.json and the warnings) agrees with the definition it replaced: max |value| == 0.
 */
class FloatTensorIsZeroTest {
  @Test
  void zeroExactlyWhenTheLargestAbsoluteValueIsZero() {
    Random r = new Random(5);
    float[] specials = {0f, -0f, Float.NaN, 1e-45f, -1e-45f, 0.25f, Float.NEGATIVE_INFINITY};
    for (int trial = 0; trial < 300; trial++) {
      int samples = 1 + r.nextInt(4);
      int per = 1 + r.nextInt(30);
      float[] d = new float[samples * per];
      for (int i = 0; i < d.length; i++) {
        d[i] = r.nextBoolean() ? 0f : -0f;
      }
      // at most one other value per sample, often in its last voxel
      for (int b = 0; b < samples; b++) {
        if (r.nextInt(3) > 0) {
          d[b * per + (r.nextBoolean() ? per - 1 : r.nextInt(per))] = specials[r.nextInt(specials.length)];
        }
      }
      FloatTensor cam = new FloatTensor(d, samples, 1, per);
      for (int b = 0; b < samples; b++) {
        FloatTensor s = cam.view0(b);
        assertEquals(maxAbs(s) == 0, s.isZero(), "trial " + trial + " sample " + b);
      }
    }
  }
}
