package gradcam3d.render;

import gradcam3d.tensor.FloatTensor;
import java.util.Random;

/** Target-region masks for tests, with piece counts known by construction. */
final class Regions {
  private Regions() {}

  /** A solid ball {z, y, x, r} in mm: one piece. */
  static FloatTensor ball(int d, int h, int w, double[] sp, double[] ball) {
    return Synthetic.volume(d, h, w, sp,
        (z, y, x) -> Synthetic.inBall(z, y, x, ball, ball[3]) ? 1 : 0);
  }

  /**
   * Random speckles, each voxel inside with probability p (like a noisy predicted mask): above
   * the 3D site-percolation threshold of 0.31 they connect into few big pieces, below into many.
   */
  static FloatTensor speckles(int d, int h, int w, double p, long seed) {
    Random rnd = new Random(seed);
    float[] m = new float[d * h * w];
    for (int i = 0; i < m.length; i++) {
      m[i] = rnd.nextDouble() < p ? 1 : 0;
    }
    return new FloatTensor(m, d, h, w);
  }

  /**
   * Cubes of side s voxels on a grid, inside where (z/s + y/s + x/s) mod 3 == 0: no two inside
   * cubes share a face, so every cube is its own 6-connected piece.
   */
  static FloatTensor separateCubes(int d, int h, int w, int s) {
    float[] m = new float[d * h * w];
    for (int z = 0, i = 0; z < d; z++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++, i++) {
          m[i] = (z / s + y / s + x / s) % 3 == 0 ? 1 : 0;
        }
      }
    }
    return new FloatTensor(m, d, h, w);
  }
}
