package gradcam3d.cam.methods;

import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.MethodsNext;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The host float64 math of the new methods against known math and the fixtures: the symmetric
 * eigen-decomposition, KPCA-CAM's kernels and Lanczos eigenpair (sklearn's eigenvalues and maps),
 * the NMF of Deep Feature Factorization (its reported error recomputed here, Eckart-Young's bound,
 * an exactly factorable matrix, determinism) and Random-CAM's seeded weights.
 */
class HostMathTest {
  @Test
  void symmetricEigenDecomposes() {
    Random r = new Random(3);
    for (int n : new int[] {1, 2, 7, 30}) {
      double[][] a = new double[n][n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j <= i; j++) {
          a[i][j] = a[j][i] = r.nextGaussian();
        }
      }
      SymmetricEigen e = SymmetricEigen.of(a);
      for (int k = 0; k < n; k++) {
        if (k > 0) {
          assertTrue(e.values()[k] >= e.values()[k - 1], "ascending");
        }
        for (int i = 0; i < n; i++) {
          double av = 0;
          for (int j = 0; j < n; j++) {
            av += a[i][j] * e.vectors()[j][k];
          }
          assertEquals(e.values()[k] * e.vectors()[i][k], av, 1e-12, "A v = lambda v");
        }
        for (int m = 0; m < n; m++) {
          double dot = 0;
          for (int i = 0; i < n; i++) {
            dot += e.vectors()[i][k] * e.vectors()[i][m];
          }
          assertEquals(k == m ? 1 : 0, dot, 1e-12, "orthonormal");
        }
      }
    }
    // a tridiagonal with known eigenvalues: 2 - 2 cos(k pi / (n + 1)) for diag 2, off-diagonal -1
    int n = 9;
    double[] diag = new double[n];
    double[] off = new double[n - 1];
    java.util.Arrays.fill(diag, 2);
    java.util.Arrays.fill(off, -1);
    SymmetricEigen t = SymmetricEigen.tridiagonal(diag, off);
    for (int k = 1; k <= n; k++) {
      assertEquals(2 - 2 * Math.cos(k * Math.PI / (n + 1)), t.values()[k - 1], 1e-13);
    }
  }

  /** sklearn's float64 eigenvalue and map for every KPCA case, from the stored activations alone. */
  @Test
  void kpcaMatchesSklearnInFloat64() {
    for (MethodsNext.Case c : MethodsNext.cases(Set.of("kpca-cam"))) {
      FloatTensor a = c.expected("activation");
      FloatTensor eigenvalues = c.expected("eigenvalue");
      KpcaCam kpca = new KpcaCam();
      for (int b = 0; b < a.dim(0); b++) {
        KernelPca.Component comp = kpca.component(a, b);
        double want = eigenvalues.data()[b];
        assertEquals(want, comp.eigenvalue(), 1e-6 * Math.abs(want), c + " eigenvalue of sample " + b);
        double gap = ((Number) c.checks().get("eigengap (l1 - l2) / l1, min over samples")).doubleValue();
        assertTrue(comp.relativeGap() >= gap - 1e-6, c + ": our gap " + comp.relativeGap() + " vs " + gap);
      }
      FloatTensor map = kpca.camLayer(a, null);
      FloatTensor ref = c.expected("cam_layer");
      double err = maxAbsDiff(map, ref);
      System.out.printf("%-40s host map vs sklearn %.2e (max|ref| %.2e)%n", c.name(), err, maxAbs(ref));
      assertTrue(err <= 1e-6 * maxAbs(ref), c + ": " + err);
      if (a.size() < 10_000) {
        assertEquals(0f, maxAbsDiff(map, kpca.camLayer(a, null)), "the same on every run");
      }
    }
  }

  /** Each kernel's Lanczos eigenpair equals the dense decomposition of the same centred matrix. */
  @Test
  void lanczosEqualsDenseEigenForEveryKernel() {
    FloatTensor a = MethodsNext.cases(Set.of("kpca-cam")).get(0).expected("activation"); // down3: 60 voxels
    for (KpcaCam.Kernel kernel : KpcaCam.Kernel.values()) {
      KpcaCam m = new KpcaCam(kernel, kernel == KpcaCam.Kernel.RBF ? 0.5 : null);
      double[][] x = points(a);
      double gamma = kernel == KpcaCam.Kernel.RBF ? 0.5 : 1.0 / a.dim(1);
      int n = x.length;
      double[] flat = KernelPca.kernelMatrix(x, kernel, gamma);
      double[][] k = new double[n][n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          k[i][j] = flat[i * n + j];
          assertEquals(flat[j * n + i], flat[i * n + j], "symmetric");
        }
      }
      // the kernels as sklearn defines them, for one pair
      double dot = 0;
      double d2 = 0;
      for (int c = 0; c < x[0].length; c++) {
        dot += x[3][c] * x[17][c];
        d2 += (x[3][c] - x[17][c]) * (x[3][c] - x[17][c]);
      }
      double n3 = Math.sqrt(dotSelf(x[3]));
      double n17 = Math.sqrt(dotSelf(x[17]));
      double want = switch (kernel) {
        case SIGMOID -> Math.tanh(gamma * dot + 1);
        case RBF -> Math.exp(-gamma * d2);
        case POLY -> Math.pow(gamma * dot + 1, 3);
        case LINEAR -> dot;
        case COSINE -> dot / (n3 * n17);
      };
      assertEquals(want, k[3][17], 1e-12 * Math.max(1, Math.abs(want)), kernel.toString());
      double[] centred = KernelPca.centred(flat, n);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          k[i][j] = centred[i * n + j];
        }
      }
      SymmetricEigen dense = SymmetricEigen.of(k);
      int top = dense.values().length - 1;
      KernelPca.Component comp = m.component(a, 0);
      assertEquals(dense.values()[top], comp.eigenvalue(), 1e-10 * Math.abs(dense.values()[top]), kernel.toString());
      double scale = Math.sqrt(dense.values()[top]);
      double sign = Math.signum(comp.projection()[0] * dense.vectors()[0][top]);
      for (int i = 0; i < x.length; i++) {
        assertEquals(sign * scale * dense.vectors()[i][top], comp.projection()[i], 1e-8 * scale, kernel + " entry " + i);
      }
    }
  }

  private static double dotSelf(double[] v) {
    double s = 0;
    for (double e : v) {
      s += e * e;
    }
    return s;
  }

  /** Sample 0's voxels as points, centred per channel. */
  private static double[][] points(FloatTensor a) {
    int channels = (int) a.dim(1);
    int voxels = a.size() / (int) a.dim(0) / channels;
    double[][] x = new double[voxels][channels];
    for (int c = 0; c < channels; c++) {
      double mean = 0;
      for (int v = 0; v < voxels; v++) {
        mean += a.data()[c * voxels + v];
      }
      mean /= voxels;
      for (int v = 0; v < voxels; v++) {
        x[v][c] = a.data()[c * voxels + v] - mean;
      }
    }
    return x;
  }

  @Test
  void tanhIsMathTanh() {
    for (double x : new double[] {0, 1e-300, -1e-9, 3e-4, -9.99e-4, 1e-3, 0.3, -0.7, 1, 2.5, -7, 19, 25, 400, -1e308}) {
      assertEquals(Math.tanh(x), KernelPca.tanh(x), 4 * Math.ulp(Math.tanh(x)), "tanh(" + x + ")");
    }
  }

  @Test
  void nmfRecoversAnExactlyFactorableMatrix() {
    Random r = new Random(11);
    int rows = 20;
    int cols = 200;
    int k = 3;
    double[][] w0 = new double[rows][k];
    double[][] h0 = new double[k][cols];
    for (double[] row : w0) {
      for (int j = 0; j < k; j++) {
        row[j] = r.nextDouble() < 0.3 ? 0 : r.nextDouble();
      }
    }
    for (double[] row : h0) {
      for (int c = 0; c < cols; c++) {
        row[c] = r.nextDouble() < 0.3 ? 0 : r.nextDouble();
      }
    }
    double[][] x = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int c = 0; c < cols; c++) {
        for (int j = 0; j < k; j++) {
          x[i][c] += w0[i][j] * h0[j][c];
        }
      }
    }
    Nmf.Result f = Nmf.factorise(x, k);
    assertTrue(f.relativeError() < 1e-2, "error " + f.relativeError() + " after " + f.iterations());
    assertEquals(independentError(x, f), f.relativeError(), 1e-12);
  }

  /**
   * On a real layer (seed U-Net up2: 6 channels x 3840 voxels, minus channel minima as DFF does):
   * the reported error is ||X - W H|| / ||X|| recomputed here, W and H are non-negative, no
   * factorisation of rank K beats the truncated SVD (Eckart-Young), more concepts fit better, and
   * two runs give the same bits.
   */
  @Test
  void nmfOfALayerReportsItsErrorAndIsDeterministic() {
    FloatTensor a = MethodsNext.cases(Set.of("fem")).stream().filter(c -> c.name().equals("seed_unet3d__up2__fem"))
        .findFirst().orElseThrow().expected("activation");
    int channels = (int) a.dim(1);
    int voxels = a.size() / channels;
    double[][] x = new double[channels][voxels];
    for (int c = 0; c < channels; c++) {
      double min = Double.POSITIVE_INFINITY;
      for (int v = 0; v < voxels; v++) {
        min = Math.min(min, a.data()[c * voxels + v]);
      }
      for (int v = 0; v < voxels; v++) {
        x[c][v] = a.data()[c * voxels + v] - min;
      }
    }
    double norm2 = 0;
    for (double[] row : x) {
      norm2 += dotSelf(row);
    }
    double[][] gram = new double[channels][channels];
    for (int i = 0; i < channels; i++) {
      for (int j = 0; j < channels; j++) {
        double s = 0;
        for (int v = 0; v < voxels; v++) {
          s += x[i][v] * x[j][v];
        }
        gram[i][j] = s;
      }
    }
    double[] sv2 = SymmetricEigen.of(gram).values(); // squared singular values, ascending
    double previous = Double.POSITIVE_INFINITY;
    for (int k = 1; k <= 3; k++) {
      Nmf.Result f = Nmf.factorise(x, k);
      double mine = independentError(x, f);
      System.out.printf("NMF k=%d: relative error %.6f (recomputed %.6f), %d iterations%n", k, f.relativeError(), mine,
          f.iterations());
      assertEquals(mine, f.relativeError(), 1e-12, "the reported error is the reconstruction's");
      double tail = 0;
      for (int i = 0; i < channels - k; i++) {
        tail += Math.max(sv2[i], 0);
      }
      assertTrue(f.relativeError() >= Math.sqrt(tail / norm2) - 1e-12, "Eckart-Young bound");
      assertTrue(f.relativeError() <= previous + 1e-9, "more concepts fit at least as well");
      previous = f.relativeError();
      for (double[] row : f.w()) {
        for (double v : row) {
          assertTrue(v >= 0);
        }
      }
      for (double[] row : f.h()) {
        for (double v : row) {
          assertTrue(v >= 0);
        }
      }
      if (k != 2) {
        continue;
      }
      Nmf.Result again = Nmf.factorise(x, k);
      for (int i = 0; i < channels; i++) {
        assertArrayEquals(f.w()[i], again.w()[i], "W the same on every run");
      }
      for (int j = 0; j < k; j++) {
        assertArrayEquals(f.h()[j], again.h()[j], "H the same on every run");
      }
    }
  }

  private static double independentError(double[][] x, Nmf.Result f) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < x.length; i++) {
      for (int c = 0; c < x[i].length; c++) {
        double wh = 0;
        for (int j = 0; j < f.h().length; j++) {
          wh += f.w()[i][j] * f.h()[j][c];
        }
        num += (x[i][c] - wh) * (x[i][c] - wh);
        den += x[i][c] * x[i][c];
      }
    }
    return Math.sqrt(num / den);
  }

  /**
   * FullGrad's extremes of a resized channel: a 3-D linear resize (half-pixel, as ONNX Runtime and
   * PyTorch compute it) evaluated everywhere has the same minimum and maximum as at the few
   * positions {@link FullGradFlow#extremePositions} keeps, for integer and fractional factors.
   */
  @Test
  void resizeExtremesLieAtTheKeptPositions() {
    Random r = new Random(5);
    int[][] cases = {{5, 7, 3, 11, 13, 9}, {6, 6, 6, 48, 30, 24}, {2, 3, 1, 8, 5, 4}, {4, 4, 4, 12, 10, 7}};
    for (int[] c : cases) {
      int[] in = {c[0], c[1], c[2]};
      int[] out = {c[3], c[4], c[5]};
      for (int trial = 0; trial < 3; trial++) {
        double[][][] t = new double[in[0]][in[1]][in[2]];
        for (double[][] plane : t) {
          for (double[] row : plane) {
            for (int i = 0; i < row.length; i++) {
              row[i] = r.nextGaussian();
            }
          }
        }
        double fullMin = Double.POSITIVE_INFINITY;
        double fullMax = Double.NEGATIVE_INFINITY;
        double[][] wz = axisWeights(in[0], out[0]);
        double[][] wy = axisWeights(in[1], out[1]);
        double[][] wx = axisWeights(in[2], out[2]);
        for (int z = 0; z < out[0]; z++) {
          for (int y = 0; y < out[1]; y++) {
            for (int x = 0; x < out[2]; x++) {
              double v = 0;
              for (int a = 0; a < in[0]; a++) {
                for (int b = 0; b < in[1]; b++) {
                  for (int d = 0; d < in[2]; d++) {
                    v += wz[z][a] * wy[y][b] * wx[x][d] * t[a][b][d];
                  }
                }
              }
              fullMin = Math.min(fullMin, v);
              fullMax = Math.max(fullMax, v);
            }
          }
        }
        float[][] kz = FullGradFlow.extremePositions(in[0], out[0]);
        float[][] ky = FullGradFlow.extremePositions(in[1], out[1]);
        float[][] kx = FullGradFlow.extremePositions(in[2], out[2]);
        double keptMin = Double.POSITIVE_INFINITY;
        double keptMax = Double.NEGATIVE_INFINITY;
        for (int z = 0; z < kz[0].length; z++) {
          for (int y = 0; y < ky[0].length; y++) {
            for (int x = 0; x < kx[0].length; x++) {
              double v = 0;
              for (int a = 0; a < in[0]; a++) {
                for (int b = 0; b < in[1]; b++) {
                  for (int d = 0; d < in[2]; d++) {
                    v += kz[a][z] * ky[b][y] * kx[d][x] * t[a][b][d];
                  }
                }
              }
              keptMin = Math.min(keptMin, v);
              keptMax = Math.max(keptMax, v);
            }
          }
        }
        String what = java.util.Arrays.toString(c);
        assertEquals(fullMin, keptMin, 1e-6, what + " min");
        assertEquals(fullMax, keptMax, 1e-6, what + " max");
        assertTrue(kz[0].length * ky[0].length * kx[0].length <= out[0] * out[1] * out[2]);
      }
    }
  }

  /** w[o][i]: the linear resize's weight of input i in output o (half-pixel, clamped), written out here. */
  private static double[][] axisWeights(int in, int out) {
    double[][] w = new double[out][in];
    for (int o = 0; o < out; o++) {
      double x = (o + 0.5) * in / out - 0.5;
      x = Math.max(0, Math.min(x, in - 1));
      int x0 = (int) Math.floor(x);
      int x1 = Math.min(x0 + 1, in - 1);
      w[o][x0] += 1 - (x - x0);
      w[o][x1] += x - x0;
    }
    return w;
  }

  @Test
  void randomCamWeightsComeFromTheSeed() {
    float[] w = new RandomCam(5).weights(16);
    Random r = new Random(5);
    for (float v : w) {
      assertEquals((float) (2 * r.nextDouble() - 1), v);
      assertTrue(v >= -1 && v < 1);
    }
    assertArrayEquals(w, new RandomCam(5).weights(16));
    assertFalse(java.util.Arrays.equals(w, new RandomCam(6).weights(16)));
  }

  @Test
  void defaultsAreTheOptionsDefaults() {
    assertEquals(gradcam3d.cam.MethodOptions.REFINE_BASE, new RefineCam().base().name());
    assertEquals(gradcam3d.cam.MethodOptions.KPCA_KERNEL, new KpcaCam().kernel().toString());
    assertEquals(List.of(2.0, 1.0, 3, 0L, 5), List.of(new Fem().k(), new FinerCam().alpha(), new FinerCam().compare(),
        new RandomCam().seed(), new Dff().concepts()));
  }
}
