package gradcam3d.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gradcam3d.tensor.FloatTensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The per-sample min-max normalisation in place is (x - min) / (max - min) with min and max the
 * folds of Math.min and Math.max (NaN wins, -0.0 below +0.0), bit for bit: checked against that
 * definition written out, on random maps and on NaN, infinities, signed zeros and constant samples.
 */
class NormaliseTest {
  /** The definition: Math.min, then Math.max of the shifted values, then the division. */
  private static float[] byDefinition(float[] x, int batch) {
    float[] d = x.clone();
    int n = d.length / batch;
    for (int b = 0; b < batch; b++) {
      float min = Float.POSITIVE_INFINITY;
      for (int i = b * n; i < (b + 1) * n; i++) {
        min = Math.min(min, d[i]);
      }
      float max = Float.NEGATIVE_INFINITY;
      for (int i = b * n; i < (b + 1) * n; i++) {
        d[i] = d[i] - min;
        max = Math.max(max, d[i]);
      }
      if (max > 0) {
        for (int i = b * n; i < (b + 1) * n; i++) {
          d[i] = d[i] / max;
        }
      }
    }
    return d;
  }

  @Test
  void inPlaceNormalisationIsTheMinMaxFoldBitForBit() {
    float nan = Float.NaN;
    float inf = Float.POSITIVE_INFINITY;
    List<float[]> samples = List.of(new float[] {0f, -0f, 1f, 2f}, new float[] {-0f, 0f, 2f, 0f},
        new float[] {-0f, -0f, -0f, -0f}, new float[] {0f, 0f, 0f, 0f}, new float[] {3f, 3f, 3f, 3f},
        new float[] {nan, 1f, 2f, 3f}, new float[] {1f, 2f, 3f, nan}, new float[] {-inf, 1f, 2f, 3f},
        new float[] {inf, 1f, 2f, 3f}, new float[] {-1f, -0f, 0f, 5f}, new float[] {2f, -0f, 2f, -0f});
    for (float[] s : samples) {
      check(s, 1);
    }
    // two samples normalised each on its own: a NaN in one leaves the other alone
    check(new float[] {nan, 1f, 2f, 3f, 4f, 0f, -0f, 1f}, 2);
    Random r = new Random(7);
    float[] map = new float[3 * 4099];
    for (int i = 0; i < map.length; i++) {
      map[i] = i % 97 == 0 ? 0f : (float) r.nextGaussian() * 5;
    }
    check(map, 3);
  }

  @Test
  void aVolumeNormalisedInChunksOnEveryCoreIsTheFoldBitForBit() {
    // above the size normalised in parallel chunks: the chunks' min and max combine to the folds'
    Random r = new Random(11);
    int n = (1 << 20) + 12345;
    float[] volume = new float[n];
    for (int i = 0; i < n; i++) {
      volume[i] = i % 1013 == 0 ? -0f : i % 101 == 0 ? 0f : (float) r.nextGaussian() * 3 + 1;
    }
    check(volume, 1);
    // the smallest and largest values in different chunks, equal values, then two samples of a batch
    volume[n - 3] = -40f;
    volume[5] = 70f;
    volume[n / 2] = 70f;
    check(volume, 1);
    check(java.util.Arrays.copyOf(volume, 2 * (n / 2)), 2);
    // finite values whose differences overflow to infinity; a NaN or an infinity far into the volume
    float[] huge = volume.clone();
    huge[7] = 3e38f;
    huge[n - 9] = -3e38f;
    check(huge, 1);
    for (float special : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      float[] v = volume.clone();
      v[n - 100] = special;
      check(v, 1);
    }
    // a constant volume stays zero, signed zeros included
    float[] constant = new float[n];
    java.util.Arrays.fill(constant, 2.5f);
    check(constant, 1);
    float[] zeros = new float[n];
    zeros[n - 1] = -0f;
    check(zeros, 1);
  }

  private static void check(float[] x, int batch) {
    float[] expected = byDefinition(x, batch);
    float[] got = Normalise.perSampleInPlace(new FloatTensor(x.clone(), batch, x.length / batch)).data();
    for (int i = 0; i < x.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(got[i]),
          "element " + i + " of " + java.util.Arrays.toString(x.length < 16 ? x : new float[0]));
    }
  }
}
