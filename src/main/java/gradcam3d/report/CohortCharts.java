package gradcam3d.report;

import java.util.Arrays;
import java.util.List;

/**
 * The cohort's charts on index.html: one box per metric and group (method and layer) over the
 * cases, and the atlas label x class heat map (a PNG, or null).
 */
public record CohortCharts(List<Box> boxes, byte[] atlasPng) {
  public static final CohortCharts NONE = new CohortCharts(List.of(), null);

  /**
   * A box plot's numbers: minimum, quartiles (numpy.percentile, linear) and maximum of n values.
   */
  public record Box(String metric, String group, int n, double min, double q1, double median, double q3, double max) {
    public static Box of(String metric, String group, List<Double> values) {
      double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return new Box(metric, group, v.length, v[0], quantile(v, 0.25), quantile(v, 0.5), quantile(v, 0.75),
          v[v.length - 1]);
    }

    /** Linear interpolation between order statistics of sorted values. */
    static double quantile(double[] sorted, double q) {
      double pos = q * (sorted.length - 1);
      int lo = (int) Math.floor(pos);
      int hi = Math.min(sorted.length - 1, lo + 1);
      return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
  }

  public boolean isEmpty() {
    return boxes.isEmpty() && atlasPng == null;
  }

  @Override
  public String toString() {
    return "CohortCharts" + boxes + (atlasPng == null ? "" : " atlas " + Arrays.hashCode(atlasPng));
  }
}
