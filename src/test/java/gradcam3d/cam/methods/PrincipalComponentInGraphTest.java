package gradcam3d.cam.methods;

import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.graph.Graph;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.onnx.DataTypes;
import gradcam3d.runtime.OrtProgram;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exported graph's principal component against the host's Jacobi one, on activations whose
 * covariance spectrum is planted exactly (so the eigengap is known), in every reduce form the
 * opsets use.
 */
class PrincipalComponentInGraphTest {
  private static final int CHANNELS = 12;
  private static final long[] SPATIAL = {6, 8, 10};

  /** Runs {@link PrincipalComponentInGraph#project} on x in a graph of the given opset. */
  private static FloatTensor inGraph(FloatTensor x, int opset) {
    Graph g = Graph.empty(opset, "pc");
    GraphBuilder b = new GraphBuilder(g, new HashMap<>(), "pc/");
    String in = b.input("x", DataTypes.FLOAT, x.shape());
    String out = PrincipalComponentInGraph.project(b, in);
    g.outputs().add(Graph.valueInfo(out, DataTypes.FLOAT, b.shape(out)));
    try (OrtProgram p = OrtProgram.create(g.toModel(), new RuntimeOptions(1), "the principal component graph")) {
      return (FloatTensor) p.run(Map.of("x", x), List.of(out)).get(out);
    }
  }

  /**
   * One sample [C, V] = Q diag(sigma) W^T with orthonormal Q (channels) and orthonormal, centred W
   * (voxels): its centred covariance is exactly Q diag(sigma^2) Q^T.
   */
  private static float[] planted(double[] sigma, Random rnd, int voxels) {
    double[][] q = orthonormal(CHANNELS, CHANNELS, rnd, false);
    double[][] w = orthonormal(sigma.length, voxels, rnd, true);
    float[] x = new float[CHANNELS * voxels];
    for (int c = 0; c < CHANNELS; c++) {
      for (int v = 0; v < voxels; v++) {
        double s = 0.25 * c; // a per-channel offset the centring removes
        for (int k = 0; k < sigma.length; k++) {
          s += q[k][c] * sigma[k] * w[k][v];
        }
        x[c * voxels + v] = (float) s;
      }
    }
    return x;
  }

  /** n orthonormal random vectors of length len (Gram-Schmidt), optionally orthogonal to all-ones. */
  private static double[][] orthonormal(int n, int len, Random rnd, boolean centred) {
    double[][] out = new double[n][len];
    for (int i = 0; i < n; i++) {
      double[] u = out[i];
      for (int j = 0; j < len; j++) {
        u[j] = rnd.nextGaussian();
      }
      for (int pass = 0; pass < 2; pass++) {
        if (centred) {
          double mean = 0;
          for (double d : u) {
            mean += d / len;
          }
          for (int j = 0; j < len; j++) {
            u[j] -= mean;
          }
        }
        for (int k = 0; k < i; k++) {
          double dot = 0;
          for (int j = 0; j < len; j++) {
            dot += u[j] * out[k][j];
          }
          for (int j = 0; j < len; j++) {
            u[j] -= dot * out[k][j];
          }
        }
      }
      double norm = 0;
      for (double d : u) {
        norm += d * d;
      }
      for (int j = 0; j < len; j++) {
        u[j] /= Math.sqrt(norm);
      }
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(ints = {11, 13, 17, 18})
  void matchesTheHostJacobiDownToASmallEigengap(int opset) {
    int voxels = (int) (SPATIAL[0] * SPATIAL[1] * SPATIAL[2]);
    Random rnd = new Random(7);
    // lambda2 / lambda1 = sigma2^2 / sigma1^2: 0.25, 0.9 and 0.97
    double[][] spectra = {{2, 1, 0.5, 0.2}, {1, Math.sqrt(0.9), 0.6, 0.3, 0.1}, {3, 3 * Math.sqrt(0.97), 1, 0.5}};
    float[] data = new float[spectra.length * CHANNELS * voxels];
    for (int b = 0; b < spectra.length; b++) {
      System.arraycopy(planted(spectra[b], rnd, voxels), 0, data, b * CHANNELS * voxels, CHANNELS * voxels);
    }
    FloatTensor x = new FloatTensor(data, spectra.length, CHANNELS, SPATIAL[0], SPATIAL[1], SPATIAL[2]);
    FloatTensor host = PrincipalComponent.project(x);
    FloatTensor graph = inGraph(x, opset);
    assertEquals(List.of(host.shape().length, host.shape()[0]), List.of(graph.shape().length, graph.shape()[0]));
    for (int b = 0; b < spectra.length; b++) {
      FloatTensor h = host.slice0(b);
      double err = maxAbsDiff(graph.slice0(b), h) / maxAbs(h);
      System.out.printf("opset %d, lambda2/lambda1 %.2f: relative max|diff| %.2e%n", opset,
          spectra[b][1] * spectra[b][1] / (spectra[b][0] * spectra[b][0]), err);
      assertTrue(err <= 1e-4, "sample " + b + ": relative max|diff| " + err);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {11, 18})
  void constantChannelsGiveAnAllZeroMapAsOnTheHost(int opset) {
    float[] data = new float[2 * CHANNELS * 60];
    for (int c = 0; c < CHANNELS; c++) {
      for (int v = 0; v < 60; v++) {
        data[(CHANNELS + c) * 60 + v] = c - 3; // sample 1: each channel constant, sample 0: zero
      }
    }
    FloatTensor x = new FloatTensor(data, 2, CHANNELS, 3, 4, 5);
    FloatTensor graph = inGraph(x, opset);
    assertEquals(0f, maxAbs(graph), "finite and zero, not NaN");
    assertEquals(0f, maxAbs(PrincipalComponent.project(x)));
  }
}
