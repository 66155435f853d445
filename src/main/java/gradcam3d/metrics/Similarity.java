package gradcam3d.metrics;

/**
 * The comparisons the metrics use, as SciPy and scikit-image compute them: Pearson's r
 * (scipy.stats.pearsonr), Spearman's rho (Pearson's r of average-tie ranks, scipy.stats.spearmanr),
 * and the structural similarity of two flattened maps (skimage.metrics.structural_similarity on
 * 1-D arrays: a uniform window of 7, mode 'reflect', K1 = 0.01, K2 = 0.03, sample covariances,
 * data range = max - min over both maps, the mean over all but the 3 values at each end).
 * Undefined values (a constant input) are NaN.
 */
public final class Similarity {
  private Similarity() {}

  public static double pearson(double[] a, double[] b) {
    return RankCorrelation.pearson(a, b);
  }

  public static double spearman(double[] a, double[] b) {
    return RankCorrelation.pearson(RankCorrelation.ranks(a), RankCorrelation.ranks(b));
  }

  /** SSIM of two equally long 1-D arrays. */
  public static double ssim(float[] a, float[] b) {
    int n = a.length;
    int win = 7;
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      lo = Math.min(lo, Math.min(a[i], b[i]));
      hi = Math.max(hi, Math.max(a[i], b[i]));
    }
    double range = hi - lo;
    double c1 = (0.01 * range) * (0.01 * range);
    double c2 = (0.03 * range) * (0.03 * range);
    double[] ux = uniform(a, a, win, false);
    double[] uy = uniform(b, b, win, false);
    double[] uxx = uniform(a, a, win, true);
    double[] uyy = uniform(b, b, win, true);
    double[] uxy = uniform(a, b, win, true);
    double norm = win / (win - 1.0);
    int pad = (win - 1) / 2;
    double sum = 0;
    int count = 0;
    for (int i = pad; i < n - pad; i++) {
      double vx = norm * (uxx[i] - ux[i] * ux[i]);
      double vy = norm * (uyy[i] - uy[i] * uy[i]);
      double vxy = norm * (uxy[i] - ux[i] * uy[i]);
      double s = (2 * ux[i] * uy[i] + c1) * (2 * vxy + c2) / ((ux[i] * ux[i] + uy[i] * uy[i] + c1) * (vx + vy + c2));
      sum += s;
      count++;
    }
    return count == 0 ? Double.NaN : sum / count;
  }

  /** Mean over a centred window of the values (or products a*b), edges mirrored ('reflect': d c b a | a b c d). */
  private static double[] uniform(float[] a, float[] b, int win, boolean product) {
    int n = a.length;
    int half = win / 2;
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int k = -half; k <= half; k++) {
        int j = reflect(i + k, n);
        s += product ? (double) a[j] * b[j] : a[j];
      }
      out[i] = s / win;
    }
    return out;
  }

  private static int reflect(int i, int n) {
    if (n == 1) {
      return 0;
    }
    while (i < 0 || i >= n) {
      i = i < 0 ? -i - 1 : 2 * n - i - 1;
    }
    return i;
  }

  /**
   * Discrete entropy of a histogram of the values (Quantus' discrete_entropy: numpy.histogram with
   * {@code bins} equal bins over [min, max], then scipy.stats.entropy of the counts, natural log).
   */
  public static double histogramEntropy(float[] values, int bins) {
    long[] h = histogram(values, bins);
    double total = 0;
    for (long c : h) {
      total += c;
    }
    double e = 0;
    for (long c : h) {
      if (c > 0) {
        double p = c / total;
        e -= p * Math.log(p);
      }
    }
    return e;
  }

  /** numpy.histogram(values, bins) counts: equal bins over [min, max] (max in the last bin; a constant array spans +-0.5). */
  static long[] histogram(float[] values, int bins) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (float v : values) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    if (lo == hi) {
      lo -= 0.5;
      hi += 0.5;
    }
    double[] edges = new double[bins + 1];
    for (int i = 0; i <= bins; i++) {
      // numpy.linspace(lo, hi, bins + 1)
      edges[i] = i == bins ? hi : lo + i * ((hi - lo) / bins);
    }
    double norm = bins / (hi - lo);
    long[] h = new long[bins];
    for (float f : values) {
      double v = f;
      int idx = (int) ((v - lo) * norm);
      if (idx == bins) {
        idx--;
      }
      // numpy's corrections where the scaled index and the edges disagree in the last bit
      if (v < edges[idx]) {
        idx--;
      } else if (idx != bins - 1 && v >= edges[idx + 1]) {
        idx++;
      }
      h[idx]++;
    }
    return h;
  }

  /**
   * Area under the ROC curve of scores against a binary mask (sklearn's roc_curve + auc): the
   * probability that a voxel inside scores higher than one outside, ties counting half. NaN when
   * the mask is empty or full.
   */
  public static double rocAuc(float[] scores, float[] mask) {
    int[] order = IndexSort.ascending(scores);
    long pos = 0;
    for (float m : mask) {
      pos += m > 0 ? 1 : 0;
    }
    long neg = scores.length - pos;
    if (pos == 0 || neg == 0) {
      return Double.NaN;
    }
    // sum over positives of (negatives below + half the negatives tied)
    double u = 0;
    long negBelow = 0;
    int i = 0;
    while (i < order.length) {
      int j = i;
      long p = 0;
      long q = 0;
      while (j < order.length && scores[order[j]] == scores[order[i]]) {
        if (mask[order[j]] > 0) {
          p++;
        } else {
          q++;
        }
        j++;
      }
      u += p * (negBelow + q / 2.0);
      negBelow += q;
      i = j;
    }
    return u / ((double) pos * neg);
  }
}
