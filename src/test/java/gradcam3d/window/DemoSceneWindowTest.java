package gradcam3d.window;

import gradcam3d.cam.Request;
import gradcam3d.cam.methods.CamMethods;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bundled demo U-Net (spheres = 1, cubes = 2, trained on 40x48x48) on a scene twice as wide
 * with several spheres and cubes, explained through 40x48x48 windows: the map keeps the ordinary
 * whole-volume map's share of mass on the spheres and shows no seams at the window borders.
 */
class DemoSceneWindowTest {
  static final long[] SHAPE = {40, 96, 96};

  /** Noisy scene like the demo's training data (train_demo.py), label 1 = sphere, 2 = cube. */
  static float[][] scene(long seed) {
    int nz = (int) SHAPE[0];
    int ny = (int) SHAPE[1];
    int nx = (int) SHAPE[2];
    Random rng = new Random(seed);
    float[] vol = new float[nz * ny * nx];
    float[] lab = new float[vol.length];
    double phase = rng.nextDouble() * 6;
    for (int z = 0, i = 0; z < nz; z++) {
      for (int y = 0; y < ny; y++) {
        for (int x = 0; x < nx; x++, i++) {
          vol[i] = (float) (0.35 * rng.nextGaussian() + 0.2 * Math.sin(x / 9.0 + phase) * Math.cos(y / 11.0));
        }
      }
    }
    for (int kind = 1; kind <= 2; kind++) {
      for (int n = 0; n < 6; n++) {
        double r = 3 + 4 * rng.nextDouble();
        double cz = r + rng.nextDouble() * (nz - 2 * r);
        double cy = r + rng.nextDouble() * (ny - 2 * r);
        double cx = r + rng.nextDouble() * (nx - 2 * r);
        float bright = (float) (0.8 + 0.8 * rng.nextDouble());
        for (int z = 0, i = 0; z < nz; z++) {
          for (int y = 0; y < ny; y++) {
            for (int x = 0; x < nx; x++, i++) {
              boolean inside = kind == 1
                  ? (z - cz) * (z - cz) + (y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r
                  : Math.abs(z - cz) <= r * 0.85 && Math.abs(y - cy) <= r * 0.85 && Math.abs(x - cx) <= r * 0.85;
              if (inside) {
                vol[i] += bright;
                lab[i] = kind;
              }
            }
          }
        }
      }
    }
    return new float[][] {vol, lab};
  }

  @Test
  void windowedMapKeepsTheOrdinaryMassOnSpheresWithoutSeams() {
    ModelProto model = ModelIO.read(Path.of("src/main/resources/gradcam3d/demo/demo_unet3d.onnx"));
    float[][] s = scene(7);
    FloatTensor x = new FloatTensor(s[0], 1, 1, SHAPE[0], SHAPE[1], SHAPE[2]);
    Target target = Target.parse("1");
    Request req = Request.of(LayerSpec.names("up2"), CamMethods.byName("gradcam"), target);
    long[] window = {40, 48, 48};
    try (Explainer ex = new Explainer(model, req, new RuntimeOptions(2));
        SlidingWindowExplainer sw = new SlidingWindowExplainer(model, req,
            SlidingWindowExplainer.Settings.of(window).withWindowBatch(2), new RuntimeOptions(2))) {
      Explanation plain = ex.explain(Map.of("input", x));
      WindowedExplanation w = sw.explain(x, target);
      assertEquals(9, w.grid().size());
      double plainShare = share(plain.cam().data(), s[1]);
      double windowShare = share(w.explanation().cam().data(), s[1]);
      double[] seamX = jumps(w.explanation().cam().data(), 2, new long[] {24, 48, 72});
      double[] seamY = jumps(w.explanation().cam().data(), 1, new long[] {24, 48, 72});
      System.out.printf("demo scene: sphere share of CAM mass ordinary %.3f windowed %.3f; mean jump at window "
          + "borders / elsewhere: x %.4f / %.4f, y %.4f / %.4f; %d windows run, %d skipped%n", plainShare,
          windowShare, seamX[0], seamX[1], seamY[0], seamY[1], w.windowsRun(), w.windowsSkipped());
      assertTrue(plainShare > 0.3, "the ordinary map looks at the spheres: " + plainShare);
      assertEquals(plainShare, windowShare, 0.05, "share of mass inside the sphere label");
      assertTrue(seamX[0] <= 1.5 * seamX[1], "seam along x: " + seamX[0] + " vs " + seamX[1]);
      assertTrue(seamY[0] <= 1.5 * seamY[1], "seam along y: " + seamY[0] + " vs " + seamY[1]);
    }
  }

  static double share(float[] cam, float[] label) {
    double in = 0;
    double all = 0;
    for (int i = 0; i < cam.length; i++) {
      all += cam[i];
      in += label[i] == 1 ? cam[i] : 0;
    }
    return in / all;
  }

  /** Mean |cam(v) - cam(v - 1 along axis)| at the given positions, and at every other position. */
  static double[] jumps(float[] cam, int axis, long[] borders) {
    long[] stride = {SHAPE[1] * SHAPE[2], SHAPE[2], 1};
    double atBorder = 0;
    double elsewhere = 0;
    long nb = 0;
    long ne = 0;
    for (int i = 0; i < cam.length; i++) {
      long c = (i / stride[axis]) % SHAPE[axis];
      if (c == 0) {
        continue;
      }
      double d = Math.abs(cam[i] - cam[(int) (i - stride[axis])]);
      boolean border = false;
      for (long b : borders) {
        border |= c == b;
      }
      if (border) {
        atBorder += d;
        nb++;
      } else {
        elsewhere += d;
        ne++;
      }
    }
    return new double[] {atBorder / nb, elsewhere / ne};
  }
}
