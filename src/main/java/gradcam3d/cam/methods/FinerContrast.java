package gradcam3d.cam.methods;

import gradcam3d.OptionValueException;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.onnx.Attributes;
import gradcam3d.onnx.DataTypes;
import gradcam3d.runtime.SeedHead;

/**
 * Finer-CAM's score in graph ops (see {@link FinerCam}): from the logits z [B, K, *S] and the
 * effective seed e (non-zero at the target class c inside its region) it returns
 * F [B, 1, *S] = sum_k m_k p_k (z_c - alpha z_k) / (sum_k m_k p_k + 1e-9) with p = softmax over
 * classes and m the comparison mask [B, K]: the {@code compare} classes (every other class when the
 * model has fewer) whose region-mean logit is nearest class c's (ranked by |mean z_k - mean z_c|, ties by class index, c first). The class
 * one-hot, region and ranking are comparisons, so no gradient flows through them; the gradient
 * of T = sum(e * F) is exact through the softmax and the division.
 */
record FinerContrast(double alpha, int compare) implements SeedHead.Contrast {
  @Override
  public String key() {
    return "finer:alpha=" + alpha + ",compare=" + compare;
  }

  @Override
  public String scores(GraphBuilder b, String z, String effectiveSeed) {
    long[] s = b.shape(z);
    int rank = s.length;
    int classes = (int) s[1];
    if (classes < 2) {
      throw new OptionValueException("finer-cam contrasts the target class with others; the model output "
          + gradcam3d.tensor.Shapes.format(s) + " has one class");
    }
    long[] spatial = GraphBuilder.range(2, rank);
    String absSeed = b.op("Abs", effectiveSeed);
    String zero = b.scalarLike(0, z);
    // the target class as a one-hot [B, K, 1, ...], and (segmentation) its region [B, 1, *S]
    String main = b.cast(b.op("Greater", rank > 2 ? b.reduceSum(absSeed, spatial, true) : absSeed, zero),
        DataTypes.FLOAT);
    String classMeans = z;
    if (rank > 2) {
      String region = b.cast(b.op("Greater", b.reduceSum(absSeed, new long[] {1}, true), zero), DataTypes.FLOAT);
      String count = b.op("Max", b.reduceSum(region, spatial, true), b.scalarLike(1, z));
      classMeans = b.div(b.reduceSum(b.mul(z, region), spatial, true), count);
    }
    // distance to the target class's mean logit, the target class itself first (-1)
    String mainMean = b.reduceSum(b.mul(classMeans, main), new long[] {1}, true);
    String distance = b.where(b.op("Greater", main, zero), b.scalarLike(-1, z),
        b.op("Abs", b.sub(classMeans, mainMean)));
    // fewer classes than asked for: every other class
    String comparison = comparisonMask(b, b.reshape(distance, s[0], classes), classes, Math.min(compare, classes - 1));
    long[] maskShape = new long[rank];
    java.util.Arrays.fill(maskShape, 1);
    maskShape[0] = s[0];
    maskShape[1] = classes;
    String m = b.reshape(comparison, maskShape);
    String p = b.op("Softmax", z, Attributes.of("axis", 1L));
    String mp = b.mul(m, p);
    String zMain = b.reduceSum(b.mul(z, main), new long[] {1}, true);
    String numerator = b.reduceSum(b.mul(mp, b.sub(zMain, b.mul(b.scalarLike(alpha, z), z))), new long[] {1}, true);
    String denominator = b.add(b.reduceSum(mp, new long[] {1}, true), b.scalarLike(1e-9, z));
    return b.div(numerator, denominator);
  }

  /**
   * 1 for the classes of rank 1..n in ascending distance [B, K] (rank 0: the target class), by
   * counting per class the classes before it: smaller distance, or equal and a lower index (a
   * stable sort).
   */
  private static String comparisonMask(GraphBuilder b, String distance, int classes, int n) {
    String rows = b.unsqueeze(distance, 2); // d_k as [B, K, 1]
    String cols = b.unsqueeze(distance, 1); // d_j as [B, 1, K]
    float[] lower = new float[classes * classes];
    for (int k = 0; k < classes; k++) {
      for (int j = 0; j < k; j++) {
        lower[k * classes + j] = 1;
      }
    }
    String before = b.add(b.cast(b.op("Less", cols, rows), DataTypes.FLOAT),
        b.mul(b.cast(b.op("Equal", cols, rows), DataTypes.FLOAT), b.constFloats(lower, 1, classes, classes)));
    String rankOf = b.reduceSum(before, new long[] {2}, false);
    String low = b.op("Greater", rankOf, b.scalarLike(0.5, rankOf));
    String high = b.op("Less", rankOf, b.scalarLike(n + 0.5, rankOf));
    return b.cast(b.op("And", low, high), DataTypes.FLOAT);
  }
}
