package gradcam3d.cam.methods;

import gradcam3d.Gradcam3dException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * The first kernel principal component of N points x_i in R^C, in float64 (sklearn KernelPCA with
 * n_components=1): the kernel matrix K_ij = k(x_i, x_j), centred on rows and columns
 * (sklearn KernelCenterer), and its eigenpair (lambda, u) of largest eigenvalue; the projection
 * is u * sqrt(lambda). The eigenpair comes from Lanczos iterations with full
 * reorthogonalisation on the stored matrix, run until the top Ritz pair's residual is below
 * {@value #TOLERANCE} of the spectrum's scale (so the vector is exact to about that over the
 * eigengap). A deterministic start vector makes the result the same on every run; its sign is
 * the caller's to fix.
 */
final class KernelPca {
  /** Relative residual of the top Ritz pair at which the iteration stops. */
  static final double TOLERANCE = 1e-13;
  private static final int MAX_STEPS = 400;

  /** The projection [N], the eigenvalue, the next Ritz value (a lower estimate of lambda_2) and the steps taken. */
  record Component(double[] projection, double eigenvalue, double nextEigenvalue, int steps) {
    /** (lambda_1 - lambda_2) / lambda_1, from the Ritz values; how well-defined the component is. */
    double relativeGap() {
      return eigenvalue > 0 ? (eigenvalue - nextEigenvalue) / eigenvalue : 0;
    }
  }

  private KernelPca() {}

  /**
   * The component of the points {@code x} [n][c] (already centred per coordinate, as the caller
   * wants them) under {@code kernel} with {@code gamma} (coef0 1, degree 3, sklearn's defaults).
   */
  static Component top(double[][] x, KpcaCam.Kernel kernel, double gamma) {
    int n = x.length;
    long bytes = 8L * n * n;
    long budget = Runtime.getRuntime().maxMemory() / 4;
    if (bytes > budget || (long) n * n > Integer.MAX_VALUE - 8) {
      throw new Gradcam3dException("kpca-cam needs the " + n + " x " + n + " kernel matrix of this layer's " + n
          + " voxels (" + (bytes >> 20) + " MB), more than a quarter of the Java heap (" + (budget >> 20)
          + " MB): choose a coarser layer, or give Java more memory (-Xmx)");
    }
    return topEigenpair(centred(kernelMatrix(x, kernel, gamma), n), n);
  }

  /**
   * K_ij = k(x_i, x_j) as one row-major array [n * n]: the upper triangle computed (rows in
   * parallel; each entry alike on every run), the lower one copied tile by tile.
   */
  static double[] kernelMatrix(double[][] x, KpcaCam.Kernel kernel, double gamma) {
    int n = x.length;
    double[] norms = new double[n];
    for (int i = 0; i < n; i++) {
      norms[i] = Math.sqrt(dot(x[i], x[i]));
    }
    double[] k = new double[n * n];
    IntStream.range(0, n).parallel().forEach(i -> {
      for (int j = i; j < n; j++) {
        k[i * n + j] = entry(x[i], x[j], norms[i], norms[j], kernel, gamma);
      }
    });
    int tile = 64;
    IntStream.range(0, (n + tile - 1) / tile).parallel().forEach(ti -> {
      int i0 = ti * tile;
      for (int j0 = 0; j0 <= i0; j0 += tile) {
        for (int i = i0; i < Math.min(n, i0 + tile); i++) {
          for (int j = j0; j < Math.min(i, j0 + tile); j++) {
            k[i * n + j] = k[j * n + i];
          }
        }
      }
    });
    return k;
  }

  private static double entry(double[] a, double[] b, double normA, double normB, KpcaCam.Kernel kernel,
      double gamma) {
    switch (kernel) {
      case RBF: {
        double d2 = 0;
        for (int c = 0; c < a.length; c++) {
          double t = a[c] - b[c];
          d2 += t * t;
        }
        return Math.exp(-gamma * d2);
      }
      case SIGMOID:
        return tanh(gamma * dot(a, b) + 1);
      case POLY: {
        double t = gamma * dot(a, b) + 1;
        return t * t * t;
      }
      case LINEAR:
        return dot(a, b);
      case COSINE:
        // a zero vector has similarity 0 with everything (sklearn normalises it to zero)
        return normA == 0 || normB == 0 ? 0 : dot(a, b) / (normA * normB);
      default:
        throw new IllegalArgumentException(kernel.toString());
    }
  }

  /**
   * tanh to a few ulps through Math.exp (an intrinsic; Java 17's Math.tanh calls native fdlibm,
   * several times slower over a 3840-voxel layer's 7 million pairs): (1 - e) / (1 + e) with
   * e = exp(-2|x|); below |x| = 0.5, where 1 - e would cancel, -expm1(-2|x|) / (2 + expm1(-2|x|)).
   */
  static double tanh(double x) {
    double ax = Math.abs(x);
    double t;
    if (ax < 0.5) {
      double m = Math.expm1(-2 * ax);
      t = -m / (2 + m);
    } else {
      double e = Math.exp(-2 * ax);
      t = (1 - e) / (1 + e);
    }
    return Math.copySign(t, x);
  }

  /** K - 1_N K - K 1_N + 1_N K 1_N, in place, for K [n * n] symmetric (row and column means agree). */
  static double[] centred(double[] k, int n) {
    double[] mean = new double[n];
    IntStream.range(0, n).parallel().forEach(i -> {
      double s = 0;
      for (int j = 0; j < n; j++) {
        s += k[i * n + j];
      }
      mean[i] = s / n;
    });
    double grand = 0;
    for (double m : mean) {
      grand += m;
    }
    double g = grand / n;
    IntStream.range(0, n).parallel().forEach(i -> {
      for (int j = 0; j < n; j++) {
        k[i * n + j] = k[i * n + j] - mean[i] - mean[j] + g;
      }
    });
    return k;
  }

  /** The eigenpair of largest eigenvalue of a symmetric matrix by Lanczos with full reorthogonalisation. */
  static Component topEigenpair(double[] m, int n) {
    if (n == 0) {
      return new Component(new double[0], 0, 0, 0);
    }
    Random random = new Random(0x6b706361L);
    double[] q = new double[n];
    for (int i = 0; i < n; i++) {
      q[i] = random.nextGaussian();
    }
    scale(q, 1 / Math.sqrt(dot(q, q)));
    List<double[]> basis = new ArrayList<>();
    List<Double> alpha = new ArrayList<>();
    List<Double> beta = new ArrayList<>();
    int steps = Math.min(n, MAX_STEPS);
    SymmetricEigen ritz = null;
    for (int j = 0; j < steps; j++) {
      basis.add(q);
      double[] w = times(m, n, q);
      double a = dot(q, w);
      alpha.add(a);
      // twice: classical Gram-Schmidt against the whole basis keeps it orthogonal to rounding
      for (int pass = 0; pass < 2; pass++) {
        for (double[] v : basis) {
          axpy(-dot(v, w), v, w);
        }
      }
      double b = Math.sqrt(dot(w, w));
      ritz = SymmetricEigen.tridiagonal(toArray(alpha), toArray(beta));
      double[] values = ritz.values();
      int top = values.length - 1;
      double spectrum = Math.max(Math.abs(values[0]), Math.abs(values[top]));
      double residual = b * Math.abs(ritz.vectors()[top][top]);
      if (residual <= TOLERANCE * Math.max(spectrum, Double.MIN_NORMAL) || b <= TOLERANCE * spectrum || b == 0) {
        break;
      }
      beta.add(b);
      q = w;
      scale(q, 1 / b);
    }
    double[] values = ritz.values();
    int top = values.length - 1;
    double[] u = new double[n];
    for (int i = 0; i < basis.size(); i++) {
      axpy(ritz.vectors()[i][top], basis.get(i), u);
    }
    scale(u, 1 / Math.sqrt(dot(u, u)));
    double lambda = values[top];
    scale(u, Math.sqrt(Math.max(lambda, 0)));
    return new Component(u, lambda, top > 0 ? values[top - 1] : 0, basis.size());
  }

  /** m [n * n] times v. */
  private static double[] times(double[] m, int n, double[] v) {
    double[] out = new double[n];
    IntStream.range(0, n).parallel().forEach(i -> {
      double s = 0;
      int base = i * n;
      for (int j = 0; j < n; j++) {
        s += m[base + j] * v[j];
      }
      out[i] = s;
    });
    return out;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /** y += f * x. */
  private static void axpy(double f, double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      y[i] += f * x[i];
    }
  }

  private static void scale(double[] x, double f) {
    for (int i = 0; i < x.length; i++) {
      x[i] *= f;
    }
  }

  private static double[] toArray(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
