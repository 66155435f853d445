package gradcam3d.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import org.junit.jupiter.api.Test;

class PeakFinderTest {
  private static final double[] SPACING = {2.5, 0.8, 1.2};

  @Test
  void findsTheCentreOfAGaussianBlob() {
    // blob centred on voxel (7, 20, 13), i.e. (17.5, 16, 15.6) mm, plus a weaker second blob
    FloatTensor cam = Synthetic.volume(16, 32, 24, SPACING,
        (z, y, x) -> 0.9 * Synthetic.gaussian(z, y, x, new double[] {17.5, 16, 15.6}, 4)
            + 0.5 * Synthetic.gaussian(z, y, x, new double[] {30, 5, 4}, 3));
    Voxels v = voxels(cam);
    assertEquals(new SlicePoint(7, 20, 13), PeakFinder.peak(v));
    assertEquals(new SlicePoint(7, 20, 13), PeakFinder.choose(v, RenderOptions.defaults()));
  }

  @Test
  void eachSliceCanBeOverriddenAlone() {
    FloatTensor cam = Synthetic.volume(16, 32, 24, SPACING,
        (z, y, x) -> Synthetic.gaussian(z, y, x, new double[] {17.5, 16, 15.6}, 4));
    Voxels v = voxels(cam);
    RenderOptions o = RenderOptions.defaults();
    assertEquals(new SlicePoint(10, 20, 13), PeakFinder.choose(v, o.withSlices(10, null, null)));
    assertEquals(new SlicePoint(7, 0, 13), PeakFinder.choose(v, o.withSlices(null, 0, null)));
    assertEquals(new SlicePoint(7, 20, 23), PeakFinder.choose(v, o.withSlices(null, null, 23)));
    Gradcam3dException e = assertThrows(Gradcam3dException.class,
        () -> PeakFinder.choose(v, o.withSlices(16, null, null)));
    assertEquals("the axial slice z=16 is outside the volume; z must be in 0..15.",
        e.getMessage());
  }

  @Test
  void plateauTieGoesToTheVoxelNearestTheCentreOfMass() {
    // a lone maximum at the origin (first in scan order) and a 3x3x3 plateau around (5, 5, 5)
    float[] c = new float[10 * 10 * 10];
    c[0] = 1;
    for (int z = 4; z <= 6; z++) {
      for (int y = 4; y <= 6; y++) {
        for (int x = 4; x <= 6; x++) {
          c[(z * 10 + y) * 10 + x] = 1;
        }
      }
    }
    Voxels v = Voxels.of(new FloatTensor(new float[c.length], 10, 10, 10),
        new FloatTensor(c, 10, 10, 10), null, null);
    assertEquals(new SlicePoint(5, 5, 5), PeakFinder.peak(v));
  }

  /**
   * The peak as first written, voxel by voxel: the maximum, the map's centre of mass, then among the
   * voxels at the maximum the one nearest to it in mm, the first in scan order on exact ties.
   */
  private static SlicePoint bruteForcePeak(float[] c, int d, int h, int w, double[] sp) {
    float max = Float.NEGATIVE_INFINITY;
    double mass = 0;
    double mz = 0;
    double my = 0;
    double mx = 0;
    for (int z = 0, i = 0; z < d; z++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++, i++) {
          max = Math.max(max, c[i]);
          if (c[i] > 0) {
            mass += c[i];
            mz += c[i] * z;
            my += c[i] * y;
            mx += c[i] * x;
          }
        }
      }
    }
    double[] centre = mass > 0 ? new double[] {mz / mass, my / mass, mx / mass}
        : new double[] {(d - 1) / 2.0, (h - 1) / 2.0, (w - 1) / 2.0};
    SlicePoint best = null;
    double bestD = Double.POSITIVE_INFINITY;
    for (int z = 0, i = 0; z < d; z++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++, i++) {
          if (c[i] == max) {
            double dz = (z - centre[0]) * sp[0];
            double dy = (y - centre[1]) * sp[1];
            double dx = (x - centre[2]) * sp[2];
            double dist = dz * dz + dy * dy + dx * dx;
            if (dist < bestD) {
              bestD = dist;
              best = new SlicePoint(z, y, x);
            }
          }
        }
      }
    }
    return best;
  }

  @Test
  void peaksOfFewAndOfManyVoxelsAtTheMaximumEqualAVoxelByVoxelSearch() {
    java.util.Random r = new java.util.Random(31);
    for (int trial = 0; trial < 40; trial++) {
      int d = 1 + r.nextInt(12);
      int h = 1 + r.nextInt(30);
      int w = 1 + r.nextInt(30);
      float[] c = new float[d * h * w];
      // from a lone maximum to plateaus of far more voxels than the first pass remembers
      int plateau = trial % 4 == 0 ? c.length : r.nextInt(1 + Math.min(c.length, trial * 20));
      for (int i = 0; i < c.length; i++) {
        c[i] = r.nextInt(4) == 0 ? 0 : 0.9f * r.nextFloat();
      }
      for (int n = 0; n < plateau; n++) {
        c[r.nextInt(c.length)] = 1;
      }
      c[r.nextInt(c.length)] = 1;
      Voxels v = Voxels.of(new FloatTensor(new float[c.length], d, h, w), new FloatTensor(c, d, h, w), null, SPACING);
      assertEquals(bruteForcePeak(c, d, h, w, SPACING), PeakFinder.peak(v), "trial " + trial);
    }
  }

  /**
   * Where one voxel alone holds the maximum, the peak is found without the centre of mass: the
   * same voxel as the voxel-by-voxel search, also for a lone maximum at or below 0 (the centre of
   * the volume then decides among the voxels at it), an infinite one, the largest float, and NaN.
   */
  @Test
  void aLoneMaximumGivesTheVoxelByVoxelSearchsPeak() {
    java.util.Random r = new java.util.Random(57);
    for (int trial = 0; trial < 60; trial++) {
      int d = 1 + r.nextInt(9);
      int h = 1 + r.nextInt(20);
      int w = 1 + r.nextInt(20);
      float[] c = new float[d * h * w];
      float shift = trial % 3 == 0 ? -2 : 0; // every value below 0: the lone maximum too
      for (int i = 0; i < c.length; i++) {
        c[i] = r.nextInt(9) == 0 ? Float.NaN : shift + 0.9f * r.nextFloat();
      }
      float top = switch (trial % 5) {
        case 0 -> Float.POSITIVE_INFINITY;
        case 1 -> Float.MAX_VALUE;
        default -> shift + 1;
      };
      c[r.nextInt(c.length)] = top;
      if (trial % 7 == 0) {
        c[0] = Float.NaN; // a NaN first: never the maximum
      }
      Voxels v = Voxels.of(new FloatTensor(new float[c.length], d, h, w), new FloatTensor(c, d, h, w), null, SPACING);
      // NaN voxels left out, as the finder leaves them out
      float[] withoutNaN = c.clone();
      float least = Float.POSITIVE_INFINITY;
      for (float x : c) {
        least = Float.isNaN(x) ? least : Math.min(least, x);
      }
      for (int i = 0; i < c.length; i++) {
        // below every other value and not above 0: changes neither the maximum nor the centre of mass
        withoutNaN[i] = Float.isNaN(c[i]) ? Math.min(least, 0) - 1 : c[i];
      }
      assertEquals(bruteForcePeak(withoutNaN, d, h, w, SPACING), PeakFinder.peak(v), "trial " + trial);
    }
  }

  @Test
  void flatCamGivesTheCentreOfTheVolume() {
    Voxels v = voxels(FloatTensor.zeros(16, 32, 24));
    // even sizes: the centre (7.5, 15.5, 11.5) is equally near 8 voxels; the first wins
    assertEquals(new SlicePoint(7, 15, 11), PeakFinder.peak(v));
  }

  @Test
  void nanVoxelsAreIgnored() {
    FloatTensor cam = Synthetic.volume(16, 32, 24, SPACING,
        (z, y, x) -> Synthetic.gaussian(z, y, x, new double[] {17.5, 16, 15.6}, 4));
    cam.data()[0] = Float.NaN;
    assertEquals(new SlicePoint(7, 20, 13), PeakFinder.peak(voxels(cam)));
  }

  private static Voxels voxels(FloatTensor cam) {
    return Voxels.of(FloatTensor.zeros(cam.shape()), cam, null, SPACING);
  }
}
