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
