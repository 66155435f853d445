package gradcam3d.cam.methods;

import gradcam3d.cam.CamGraph;
import gradcam3d.cam.CamMethod;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.onnx.Attributes;
import java.util.Arrays;

/**
 * The eigen methods as graph arithmetic, for the exported graph (--export-graph): the same
 * projection as {@link PrincipalComponent} in standard ONNX ops, per sample. Centre each channel
 * over the voxels (X [C, V]); S = X X^T; the top eigenvector comes from repeated squaring,
 * S^(2^k) scaled to largest |entry| 1 after every step (no overflow, no underflow of the top
 * part), which tends to a multiple of v v^T; v is its column of largest
 * norm, normalised (a deterministic start that cannot be orthogonal to v). Then p = v^T X with
 * the host's sign rule (flipped when |min| > |max|). The squarings shrink the rest of the spectrum
 * by (lambda2 / lambda1)^(2^k); with k = {@value #SQUARINGS} a ratio up to 0.98 leaves less than
 * 1e-8, so the result differs from the host's Jacobi solution by float32 rounding only, unless
 * the top eigenvalue is (nearly) repeated, when the component itself is ill-defined. An all-zero
 * matrix gives an all-zero map, as on the host.
 *
 * @param name the method's command-line name
 * @param usesGradients Eigen-Grad-CAM (component of G * A) rather than Eigen-CAM (of A)
 * @param absoluteGradient Seg-Eigen-CAM: the component of |G| * A
 */
record PrincipalComponentInGraph(String name, boolean usesGradients, boolean absoluteGradient)
    implements CamMethod.InGraph {
  static final int SQUARINGS = 10;

  PrincipalComponentInGraph(String name, boolean usesGradients) {
    this(name, usesGradients, false);
  }

  @Override
  public String camLayer(CamGraph g, String activation, String gradient) {
    String weighting = !usesGradients ? null : absoluteGradient ? g.builder().op("Abs", gradient) : gradient;
    return project(g.builder(), weighting == null ? activation : g.mul(activation, weighting));
  }

  /** x [B, C, *S] to the sign-fixed projection on the first principal component, [B, *S]. */
  static String project(GraphBuilder b, String x) {
    long[] s = b.shape(x);
    long batch = s[0];
    long channels = s[1];
    long voxels = 1;
    for (int i = 2; i < s.length; i++) {
      voxels *= s[i];
    }
    String flat = b.reshape(x, batch, channels, voxels);
    String centred = b.sub(flat, b.reduceMean(flat, new long[] {2}, true));
    String cov = b.op("MatMul", centred, b.transpose(centred, 0, 2, 1));
    String m = scaled(b, cov);
    for (int i = 0; i < SQUARINGS; i++) {
      m = scaled(b, b.op("MatMul", m, m));
    }
    // m ~ v v^T: the column of largest norm is a multiple of v
    String columnNorms = b.reduceSum(b.mul(m, m), new long[] {1}, false);
    String best = b.op("ArgMax", columnNorms, Attributes.of("axis", 1L), Attributes.of("keepdims", 1L));
    long[] iota = new long[(int) channels];
    Arrays.setAll(iota, i -> i);
    String oneHot = b.unsqueeze(b.cast(b.op("Equal", best, b.constLongs(iota)), b.type(x)), 2);
    String column = b.op("MatMul", m, oneHot);
    String v = b.div(column, nonZero(b, b.op("Sqrt", b.reduceSum(b.mul(column, column), new long[] {1}, true))));
    String p = b.op("MatMul", b.transpose(v, 0, 2, 1), centred);
    String min = b.op("Abs", b.reduce("ReduceMin", p, new long[] {2}, true));
    String max = b.op("Abs", b.reduce("ReduceMax", p, new long[] {2}, true));
    String sign = b.where(b.op("Greater", min, max), b.scalarLike(-1, p), b.scalarLike(1, p));
    long[] out = s.clone();
    out[1] = 1;
    return b.squeeze(b.reshape(b.mul(p, sign), out), 1);
  }

  /** Each of a batch of matrices [B, C, C] divided by its largest |entry| (an all-zero one kept). */
  private static String scaled(GraphBuilder b, String m) {
    return b.div(m, nonZero(b, b.reduce("ReduceMax", b.op("Abs", m), new long[] {1, 2}, true)));
  }

  /** A non-negative t where positive, else 1 (so that dividing a zero by it stays zero). */
  private static String nonZero(GraphBuilder b, String t) {
    return b.where(b.op("Greater", t, b.scalarLike(0, t)), t, b.scalarLike(1, t));
  }
}
