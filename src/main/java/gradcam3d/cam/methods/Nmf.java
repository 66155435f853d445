package gradcam3d.cam.methods;

import java.util.stream.IntStream;

/**
 * Non-negative matrix factorisation X ~ W H of a non-negative X [rows x cols] into k parts
 * (W [rows x k], H [k x cols], both >= 0), minimising the Frobenius error. Initialised by NNDSVD
 * (Boutsidis and Gallopoulos 2008, as sklearn's init='nndsvd': the positive or negative part of
 * each leading singular pair, entries below 1e-6 set to 0) from an exact float64 SVD, then
 * refined by HALS (hierarchical alternating least squares: exact coordinate updates of one row of
 * H, then one column of W, at a time; sklearn's 'cd' solver is the same scheme) until an
 * iteration lowers the error by less than {@value #TOLERANCE} of it, or {@value #MAX_ITERATIONS}
 * iterations. Nothing is random and every sum runs in a fixed order, so a factorisation is the
 * same on every run.
 */
final class Nmf {
  static final double TOLERANCE = 1e-5;
  static final int MAX_ITERATIONS = 200;
  private static final double NNDSVD_FLOOR = 1e-6;
  /** Below this many entries of X an update runs on the calling thread (a parallel loop costs more). */
  private static final int PARALLEL_ENTRIES = 1 << 20;

  /** 0..n-1, in parallel for a large X (each index's work is independent and in a fixed order). */
  private static IntStream indices(int n, double[][] x) {
    IntStream s = IntStream.range(0, n);
    return (long) x.length * x[0].length >= PARALLEL_ENTRIES ? s.parallel() : s;
  }

  /**
   * W [rows][k], H [k][cols]; the relative error ||X - W H||_F / ||X||_F computed entry by entry
   * at the end (0 for an all-zero X), and the iterations run.
   */
  record Result(double[][] w, double[][] h, double relativeError, int iterations) {}

  private Nmf() {}

  static Result factorise(double[][] x, int k) {
    int rows = x.length;
    int cols = x[0].length;
    double[][] w = new double[rows][k];
    double[][] h = new double[k][cols];
    nndsvd(x, w, h);
    double norm2 = 0;
    for (double[] row : x) {
      for (double v : row) {
        norm2 += v * v;
      }
    }
    int iterations = 0;
    double previous = Double.POSITIVE_INFINITY;
    while (iterations < MAX_ITERATIONS && norm2 > 0) {
      updateH(x, w, h);
      updateW(x, w, h);
      iterations++;
      double error = squaredError(x, w, h, norm2);
      if (previous - error < TOLERANCE * Math.max(error, 1e-300) || error <= 0) {
        break;
      }
      previous = error;
    }
    return new Result(w, h, norm2 > 0 ? Math.sqrt(exactSquaredError(x, w, h) / norm2) : 0, iterations);
  }

  /** NNDSVD from the k leading singular triplets (an eigen-decomposition of X X^T). */
  static void nndsvd(double[][] x, double[][] w, double[][] h) {
    int rows = x.length;
    int cols = x[0].length;
    int k = h.length;
    double[][] gram = new double[rows][rows];
    IntStream.range(0, rows).parallel().forEach(i -> {
      for (int j = i; j < rows; j++) {
        gram[i][j] = dot(x[i], x[j]);
      }
    });
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < i; j++) {
        gram[i][j] = gram[j][i];
      }
    }
    SymmetricEigen eig = SymmetricEigen.of(gram);
    for (int j = 0; j < k; j++) {
      int col = rows - 1 - j; // descending
      double s = Math.sqrt(Math.max(eig.values()[col], 0));
      if (s == 0) {
        continue; // rank below k: the part starts at zero
      }
      double[] u = new double[rows];
      for (int i = 0; i < rows; i++) {
        u[i] = eig.vectors()[i][col];
      }
      double[] v = new double[cols];
      for (int i = 0; i < rows; i++) {
        for (int c = 0; c < cols; c++) {
          v[c] += u[i] * x[i][c];
        }
      }
      for (int c = 0; c < cols; c++) {
        v[c] /= s;
      }
      if (j == 0) {
        double r = Math.sqrt(s);
        for (int i = 0; i < rows; i++) {
          w[i][0] = r * Math.abs(u[i]);
        }
        for (int c = 0; c < cols; c++) {
          h[0][c] = r * Math.abs(v[c]);
        }
        continue;
      }
      double up = norm(u, 1);
      double un = norm(u, -1);
      double vp = norm(v, 1);
      double vn = norm(v, -1);
      double mp = up * vp;
      double mn = un * vn;
      double sign = mp > mn ? 1 : -1;
      double m = Math.max(mp, mn);
      if (m == 0) {
        continue;
      }
      double nu = sign > 0 ? up : un;
      double nv = sign > 0 ? vp : vn;
      double lambda = Math.sqrt(s * m);
      for (int i = 0; i < rows; i++) {
        w[i][j] = lambda * Math.max(sign * u[i], 0) / nu;
      }
      for (int c = 0; c < cols; c++) {
        h[j][c] = lambda * Math.max(sign * v[c], 0) / nv;
      }
    }
    for (double[] row : w) {
      for (int j = 0; j < k; j++) {
        row[j] = row[j] < NNDSVD_FLOOR ? 0 : row[j];
      }
    }
    for (double[] row : h) {
      for (int c = 0; c < cols; c++) {
        row[c] = row[c] < NNDSVD_FLOOR ? 0 : row[c];
      }
    }
  }

  /** The norm of the positive (sign 1) or negative (sign -1) part of v. */
  private static double norm(double[] v, int sign) {
    double s = 0;
    for (double e : v) {
      double p = Math.max(sign * e, 0);
      s += p * p;
    }
    return Math.sqrt(s);
  }

  /** H's rows one after another: h_k = max(0, h_k + ((W^T X)_k - (W^T W)_k H) / (W^T W)_kk). */
  private static void updateH(double[][] x, double[][] w, double[][] h) {
    int rows = x.length;
    int cols = x[0].length;
    int k = h.length;
    double[][] wtw = new double[k][k];
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) {
        double s = 0;
        for (int i = 0; i < rows; i++) {
          s += w[i][a] * w[i][b];
        }
        wtw[a][b] = s;
      }
    }
    // each column of H is updated on its own: columns in parallel, each in a fixed order
    indices(cols, x).forEach(c -> {
      double[] wtx = new double[k];
      for (int i = 0; i < rows; i++) {
        double xi = x[i][c];
        if (xi != 0) {
          for (int a = 0; a < k; a++) {
            wtx[a] += w[i][a] * xi;
          }
        }
      }
      for (int a = 0; a < k; a++) {
        if (wtw[a][a] <= 0) {
          continue;
        }
        double s = wtx[a];
        for (int b = 0; b < k; b++) {
          s -= wtw[a][b] * h[b][c];
        }
        h[a][c] = Math.max(0, h[a][c] + s / wtw[a][a]);
      }
    });
  }

  /** W's columns one after another: w_k = max(0, w_k + ((X H^T)_k - W (H H^T)_k) / (H H^T)_kk). */
  private static void updateW(double[][] x, double[][] w, double[][] h) {
    int rows = x.length;
    int k = h.length;
    double[][] hht = new double[k][k];
    for (int a = 0; a < k; a++) {
      for (int b = a; b < k; b++) {
        hht[a][b] = dot(h[a], h[b]);
        hht[b][a] = hht[a][b];
      }
    }
    indices(rows, x).forEach(i -> {
      double[] xht = new double[k];
      for (int a = 0; a < k; a++) {
        xht[a] = dot(x[i], h[a]);
      }
      for (int a = 0; a < k; a++) {
        if (hht[a][a] <= 0) {
          continue;
        }
        double s = xht[a];
        for (int b = 0; b < k; b++) {
          s -= w[i][b] * hht[b][a];
        }
        w[i][a] = Math.max(0, w[i][a] + s / hht[a][a]);
      }
    });
  }

  /** ||X - W H||^2 = ||X||^2 - 2 tr(W^T X H^T) + tr(W^T W H H^T): for the stopping rule. */
  private static double squaredError(double[][] x, double[][] w, double[][] h, double norm2) {
    int rows = x.length;
    int k = h.length;
    double cross = 0;
    for (int i = 0; i < rows; i++) {
      for (int a = 0; a < k; a++) {
        cross += w[i][a] * dot(x[i], h[a]);
      }
    }
    double quad = 0;
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) {
        double wtw = 0;
        for (int i = 0; i < rows; i++) {
          wtw += w[i][a] * w[i][b];
        }
        quad += wtw * dot(h[a], h[b]);
      }
    }
    return Math.max(norm2 - 2 * cross + quad, 0);
  }

  /** ||X - W H||^2 entry by entry (no cancellation). */
  static double exactSquaredError(double[][] x, double[][] w, double[][] h) {
    double s = 0;
    int k = h.length;
    for (int i = 0; i < x.length; i++) {
      for (int c = 0; c < x[i].length; c++) {
        double r = x[i][c];
        for (int a = 0; a < k; a++) {
          r -= w[i][a] * h[a][c];
        }
        s += r * r;
      }
    }
    return s;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
