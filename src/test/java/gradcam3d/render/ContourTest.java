package gradcam3d.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gradcam3d.tensor.FloatTensor;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContourTest {
  private static final int N = 12;
  /** Picture pixels per voxel. */
  private static final int K = 5;

  /** A cube covering voxels 4..7 along each axis. */
  private static final FloatTensor CUBE = Synthetic.volume(N, N, N, new double[] {1, 1, 1},
      (z, y, x) -> z >= 4 && z < 8 && y >= 4 && y < 8 && x >= 4 && x < 8 ? 1 : 0);

  @Test
  void outlineIsExactlyTheInnerBoundaryOfTheMaskInEveryPlane() {
    for (Plane p : Plane.values()) {
      for (int slice : new int[] {4, 6, 7}) {
        assertEquals(squareRing(4 * K, 8 * K - 1), contourPixels(render(p, slice, true)),
            p + " slice " + slice);
      }
    }
  }

  @Test
  void slicesOutsideTheMaskAndDisabledContoursDrawNothing() {
    assertEquals(Set.of(), contourPixels(render(Plane.AXIAL, 3, true)));
    assertEquals(Set.of(), contourPixels(render(Plane.CORONAL, 8, true)));
    assertEquals(Set.of(), contourPixels(render(Plane.AXIAL, 5, false)));
  }

  private static Picture render(Plane plane, int slice, boolean contour) {
    // constant scan (mid gray) and zero CAM, so only the outline is coloured
    Voxels v = Voxels.of(FloatTensor.zeros(N, N, N), FloatTensor.zeros(N, N, N), CUBE, null);
    RenderOptions o = RenderOptions.defaults().withContour(contour);
    return new SliceRenderer(v, GrayWindow.robust(v.image), o).render(plane, slice, N * K, N * K);
  }

  private static Set<Integer> contourPixels(Picture p) {
    Set<Integer> s = new HashSet<>();
    for (int i = 0; i < p.rgb.length; i++) {
      if (p.rgb[i] == SliceRenderer.CONTOUR_RGB) {
        s.add(i);
      } else {
        assertEquals(0x808080, p.rgb[i]);
      }
    }
    return s;
  }

  /** Border pixels of the square [lo, hi] x [lo, hi] in an N*K wide picture. */
  private static Set<Integer> squareRing(int lo, int hi) {
    Set<Integer> s = new HashSet<>();
    for (int y = lo; y <= hi; y++) {
      for (int x = lo; x <= hi; x++) {
        if (y == lo || y == hi || x == lo || x == hi) {
          s.add(y * N * K + x);
        }
      }
    }
    return s;
  }
}
