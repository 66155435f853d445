package gradcam3d.cam.methods;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;

/**
 * Projection of each voxel's channel vector on the first principal component of the centred
 * (voxels x channels) matrix M. The component is the top eigenvector of the small channels x
 * channels matrix M^T M, so no voxels x voxels matrix is ever formed. The sign is chosen so the
 * salient side is positive: a sample's map is flipped when |min| > |max|.
 */
final class PrincipalComponent {
  private PrincipalComponent() {}

  static FloatTensor project(FloatTensor x) {
    long[] s = x.shape();
    int batch = (int) s[0];
    int channels = (int) s[1];
    long[] spatial = Arrays.copyOfRange(s, 2, s.length);
    int voxels = (int) Shapes.numel(spatial);
    float[] out = new float[batch * voxels];
    float[] d = x.data();
    for (int b = 0; b < batch; b++) {
      int base = b * channels * voxels;
      double[] mean = new double[channels];
      for (int c = 0; c < channels; c++) {
        double sum = 0;
        for (int v = 0; v < voxels; v++) {
          sum += d[base + c * voxels + v];
        }
        mean[c] = sum / voxels;
      }
      double[][] cov = new double[channels][channels];
      double[] row = new double[channels];
      for (int v = 0; v < voxels; v++) {
        for (int c = 0; c < channels; c++) {
          row[c] = d[base + c * voxels + v] - mean[c];
        }
        for (int i = 0; i < channels; i++) {
          double ri = row[i];
          double[] ci = cov[i];
          for (int j = i; j < channels; j++) {
            ci[j] += ri * row[j];
          }
        }
      }
      for (int i = 0; i < channels; i++) {
        for (int j = 0; j < i; j++) {
          cov[i][j] = cov[j][i];
        }
      }
      double[] vec = topEigenvector(cov);
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      double[] proj = new double[voxels];
      for (int v = 0; v < voxels; v++) {
        double p = 0;
        for (int c = 0; c < channels; c++) {
          p += (d[base + c * voxels + v] - mean[c]) * vec[c];
        }
        proj[v] = p;
        min = Math.min(min, p);
        max = Math.max(max, p);
      }
      double sign = Math.abs(min) > Math.abs(max) ? -1 : 1;
      for (int v = 0; v < voxels; v++) {
        out[b * voxels + v] = (float) (sign * proj[v]);
      }
    }
    return new FloatTensor(out, Shapes.concat(new long[] {batch}, spatial));
  }

  /** Eigenvector of the largest eigenvalue of a symmetric matrix (cyclic Jacobi rotations). */
  static double[] topEigenvector(double[][] m) {
    int n = m.length;
    double[][] a = new double[n][];
    for (int i = 0; i < n; i++) {
      a[i] = m[i].clone();
    }
    double[][] v = new double[n][n];
    for (int i = 0; i < n; i++) {
      v[i][i] = 1;
    }
    for (int sweep = 0; sweep < 100; sweep++) {
      double off = 0;
      double diag = 0;
      for (int i = 0; i < n; i++) {
        diag += a[i][i] * a[i][i];
        for (int j = i + 1; j < n; j++) {
          off += a[i][j] * a[i][j];
        }
      }
      if (off <= 1e-30 * Math.max(diag, 1e-300)) {
        break;
      }
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          if (a[p][q] == 0) {
            continue;
          }
          double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
          double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          if (theta == 0) {
            t = 1;
          }
          double c = 1 / Math.sqrt(t * t + 1);
          double s = t * c;
          for (int k = 0; k < n; k++) {
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
          }
          for (int k = 0; k < n; k++) {
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
          }
          for (int k = 0; k < n; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
          }
        }
      }
    }
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (a[i][i] > a[best][best]) {
        best = i;
      }
    }
    double[] e = new double[n];
    for (int k = 0; k < n; k++) {
      e[k] = v[k][best];
    }
    return e;
  }
}
