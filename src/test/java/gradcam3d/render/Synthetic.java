package gradcam3d.render;

import gradcam3d.tensor.FloatTensor;
import java.util.Random;

/** Synthetic volumes for tests: arrays filled by simple formulas on (z, y, x) in mm. */
final class Synthetic {
  private Synthetic() {}

  interface Field {
    double at(double zMm, double yMm, double xMm);
  }

  static FloatTensor volume(int d, int h, int w, double[] spacing, Field f) {
    float[] data = new float[d * h * w];
    for (int z = 0, i = 0; z < d; z++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++, i++) {
          data[i] = (float) f.at(z * spacing[0], y * spacing[1], x * spacing[2]);
        }
      }
    }
    return new FloatTensor(data, d, h, w);
  }

  static double gaussian(double z, double y, double x, double[] c, double sigma) {
    double d2 = sq(z - c[0]) + sq(y - c[1]) + sq(x - c[2]);
    return Math.exp(-d2 / (2 * sigma * sigma));
  }

  static boolean inBall(double z, double y, double x, double[] c, double r) {
    return sq(z - c[0]) + sq(y - c[1]) + sq(x - c[2]) <= r * r;
  }

  /**
   * A noisy "body" ellipsoid (soft tissue with a gentle gradient inside a bright shell, like bone
   * in CT) holding spheres of different brightness, plus one hot voxel.
   */
  static FloatTensor phantom(int d, int h, int w, double[] sp, double[][] balls, long seed) {
    Random rnd = new Random(seed);
    double cz = d * sp[0] / 2;
    double cy = h * sp[1] / 2;
    double cx = w * sp[2] / 2;
    double[] level = {150, 200, 35};
    FloatTensor t = volume(d, h, w, sp, (z, y, x) -> {
      double r2 = sq((z - cz) / (cz * 0.95)) + sq((y - cy) / (cy * 0.85))
          + sq((x - cx) / (cx * 0.9));
      double v = r2 > 1 ? -40 : r2 > 0.8 ? 240 : 80 + 30 * y / (2 * cy) + 10 * Math.sin(x / 5);
      for (int b = 0; b < balls.length; b++) {
        if (inBall(z, y, x, balls[b], balls[b][3])) {
          v = level[b % level.length];
        }
      }
      return v + rnd.nextGaussian() * 8;
    });
    t.data()[t.size() / 3] = 50_000; // one hot voxel must not wash out the window
    return t;
  }

  private static double sq(double v) {
    return v * v;
  }
}
