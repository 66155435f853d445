package gradcam3d.metrics;

/**
 * Otsu's threshold as scikit-image's {@code threshold_otsu(image, nbins=256)} computes it: a
 * 256-bin histogram over [min, max], the bin centre that maximises the between-class variance
 * w0 * w1 * (mu0 - mu1)^2 (first maximum wins); a constant image returns its value.
 */
public final class Otsu {
  public static final int BINS = 256;

  private Otsu() {}

  public static double threshold(float[] values) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (float v : values) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    if (lo == hi) {
      return lo;
    }
    double[] hist = new double[BINS];
    double width = (hi - lo) / BINS;
    for (float v : values) {
      int bin = (int) ((v - lo) / (hi - lo) * BINS);
      hist[Math.min(BINS - 1, bin)]++;
    }
    double[] centres = new double[BINS];
    for (int i = 0; i < BINS; i++) {
      centres[i] = lo + (i + 0.5) * width;
    }
    double[] w0 = new double[BINS];
    double[] s0 = new double[BINS];
    double w = 0;
    double s = 0;
    for (int i = 0; i < BINS; i++) {
      w += hist[i];
      s += hist[i] * centres[i];
      w0[i] = w;
      s0[i] = s;
    }
    double best = -1;
    int bestIndex = 0;
    for (int i = 0; i < BINS - 1; i++) {
      double w1 = w - w0[i];
      if (w0[i] == 0 || w1 == 0) {
        continue;
      }
      double mu0 = s0[i] / w0[i];
      double mu1 = (s - s0[i]) / w1;
      double between = w0[i] * w1 * (mu0 - mu1) * (mu0 - mu1);
      if (between > best) {
        best = between;
        bestIndex = i;
      }
    }
    return centres[bestIndex];
  }
}
