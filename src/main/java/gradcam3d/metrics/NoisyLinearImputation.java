package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;

/**
 * ROAD's noisy linear imputation (Rong et al. 2022, pytorch-grad-cam's NoisyLinearImputer) on any
 * grid: every removed voxel takes the weighted mean of its in-volume neighbours (3D: the 6 face
 * neighbours, weight 1/6 each; 2D: the original's 8 neighbours, 1/6 for the 4 edge and 1/12 for the
 * 4 diagonal ones), removed neighbours being unknowns too, so the removed voxels solve one sparse linear system per
 * channel (here by conjugate gradients with a Jacobi preconditioner to a relative residual of
 * 1e-12, where pytorch-grad-cam calls spsolve); then noise * N(0, 1) is added to each imputed
 * value, drawn channel by channel in increasing voxel order.
 */
public final class NoisyLinearImputation {
  private NoisyLinearImputation() {}

  /**
   * @param x the sample's features, C * N channel-major
   * @param spatial the grid
   * @param removed which voxels to impute (N)
   * @param noise standard deviation of the added noise (0: none)
   */
  public static float[] impute(float[] x, long[] spatial, boolean[] removed, double noise, SeededRandom rng) {
    int n = removed.length;
    int channels = x.length / n;
    int[] unknown = new int[n];
    int m = 0;
    int[] id = new int[n];
    for (int v = 0; v < n; v++) {
      id[v] = -1;
      if (removed[v]) {
        id[v] = m;
        unknown[m++] = v;
      }
    }
    float[] out = x.clone();
    if (m == 0) {
      return out;
    }
    if (m == n) {
      throw new Gradcam3dException("the imputation removes every voxel; nothing is left to impute from");
    }
    int rank = spatial.length;
    int[][] offsets = rank == 2 ? new int[][] {{1, 1}, {0, 1}, {-1, 1}, {1, -1}, {0, -1}, {-1, -1}, {1, 0}, {-1, 0}}
        : faceOffsets(rank);
    double[] weights = new double[offsets.length];
    for (int o = 0; o < offsets.length; o++) {
      boolean diagonal = rank == 2 && offsets[o][0] != 0 && offsets[o][1] != 0;
      weights[o] = rank == 2 ? (diagonal ? 1.0 / 12 : 1.0 / 6) : 1.0 / (2 * rank);
    }
    // per unknown: its in-volume neighbours and their weights; the diagonal is the weights' sum
    int[][] neighbours = new int[m][];
    double[][] nw = new double[m][];
    double[] diag = new double[m];
    int[] coord = new int[rank];
    for (int i = 0; i < m; i++) {
      int v = unknown[i];
      int rest = v;
      for (int a = rank - 1; a >= 0; a--) {
        coord[a] = rest % (int) spatial[a];
        rest /= (int) spatial[a];
      }
      int[] list = new int[offsets.length];
      double[] lw = new double[offsets.length];
      int k = 0;
      for (int o = 0; o < offsets.length; o++) {
        int flat = 0;
        boolean inside = true;
        for (int a = 0; a < rank; a++) {
          int c = coord[a] + offsets[o][a];
          inside &= c >= 0 && c < spatial[a];
          flat = flat * (int) spatial[a] + c;
        }
        if (inside) {
          list[k] = flat;
          lw[k++] = weights[o];
          diag[i] += weights[o];
        }
      }
      neighbours[i] = java.util.Arrays.copyOf(list, k);
      nw[i] = java.util.Arrays.copyOf(lw, k);
    }
    double[] b = new double[m];
    double[] sol = new double[m];
    for (int c = 0; c < channels; c++) {
      int base = c * n;
      for (int i = 0; i < m; i++) {
        double sum = 0;
        for (int j = 0; j < neighbours[i].length; j++) {
          int nb = neighbours[i][j];
          if (id[nb] < 0) {
            sum += nw[i][j] * x[base + nb];
          }
        }
        b[i] = sum;
      }
      solve(neighbours, nw, id, diag, b, sol);
      for (int i = 0; i < m; i++) {
        out[base + unknown[i]] = (float) sol[i];
      }
    }
    if (noise > 0) {
      for (int c = 0; c < channels; c++) {
        for (int i = 0; i < m; i++) {
          int f = c * n + unknown[i];
          out[f] = (float) (out[f] + noise * rng.nextGaussian());
        }
      }
    }
    return out;
  }

  /** (D - W_uu) v = b by preconditioned conjugate gradients (the system is symmetric positive definite). */
  private static void solve(int[][] neighbours, double[][] nw, int[] id, double[] diag, double[] b, double[] v) {
    int m = b.length;
    java.util.Arrays.fill(v, 0);
    double[] r = b.clone();
    double[] z = new double[m];
    double[] p = new double[m];
    double[] q = new double[m];
    double bnorm = 0;
    for (double bi : b) {
      bnorm += bi * bi;
    }
    bnorm = Math.sqrt(bnorm);
    if (bnorm == 0) {
      return;
    }
    for (int i = 0; i < m; i++) {
      z[i] = r[i] / diag[i];
      p[i] = z[i];
    }
    double rz = dot(r, z);
    for (int iter = 0; iter < 20 * m + 100; iter++) {
      for (int i = 0; i < m; i++) {
        double acc = diag[i] * p[i];
        for (int t = 0; t < neighbours[i].length; t++) {
          int j = id[neighbours[i][t]];
          if (j >= 0) {
            acc -= nw[i][t] * p[j];
          }
        }
        q[i] = acc;
      }
      double alpha = rz / dot(p, q);
      double rnorm = 0;
      for (int i = 0; i < m; i++) {
        v[i] += alpha * p[i];
        r[i] -= alpha * q[i];
        rnorm += r[i] * r[i];
      }
      if (Math.sqrt(rnorm) <= 1e-12 * bnorm) {
        return;
      }
      for (int i = 0; i < m; i++) {
        z[i] = r[i] / diag[i];
      }
      double rzNew = dot(r, z);
      double beta = rzNew / rz;
      rz = rzNew;
      for (int i = 0; i < m; i++) {
        p[i] = z[i] + beta * p[i];
      }
    }
    throw new Gradcam3dException("the imputation's linear system did not converge");
  }

  /** +-1 along each axis. */
  private static int[][] faceOffsets(int rank) {
    int[][] out = new int[2 * rank][rank];
    for (int a = 0; a < rank; a++) {
      out[2 * a][a] = 1;
      out[2 * a + 1][a] = -1;
    }
    return out;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
