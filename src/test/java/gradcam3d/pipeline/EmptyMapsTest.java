package gradcam3d.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The early-stopping scan for empty maps agrees with each sample's max |value| being 0. */
class EmptyMapsTest {
  /** The definition: a sample is empty when its largest absolute value is 0 (NaN is not 0). */
  private static List<Integer> byMaxAbs(FloatTensor cam) {
    List<Integer> empty = new ArrayList<>();
    for (int b = 0; b < cam.dim(0); b++) {
      if (cam.view0(b).maxAbs() == 0) {
        empty.add(b);
      }
    }
    return empty;
  }

  @Test
  void emptySamplesAreThoseWhoseLargestAbsoluteValueIsZero() {
    Random r = new Random(5);
    float[] specials = {0f, -0f, Float.NaN, 1e-45f, -1e-45f, 0.25f};
    for (int trial = 0; trial < 200; trial++) {
      int samples = 1 + r.nextInt(4);
      int per = 1 + r.nextInt(30);
      float[] d = new float[samples * per];
      for (int b = 0; b < samples; b++) {
        // mostly zeros (+-0.0) with at most one other value somewhere, often the sample's last voxel
        for (int i = 0; i < per; i++) {
          d[b * per + i] = r.nextBoolean() ? 0f : -0f;
        }
        if (r.nextInt(3) > 0) {
          int at = r.nextBoolean() ? per - 1 : r.nextInt(per);
          d[b * per + at] = specials[r.nextInt(specials.length)];
        }
      }
      FloatTensor cam = new FloatTensor(d, samples, 1, per);
      assertEquals(byMaxAbs(cam), CaseResult.emptySamples(cam), "trial " + trial);
    }
    // one empty sample between two that are not
    float[] d = new float[3 * 8];
    d[7] = 0.5f;
    d[16] = Float.NaN;
    assertEquals(List.of(1), CaseResult.emptySamples(new FloatTensor(d, 3, 8)));
  }
}
