package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a map in [0, 1] agrees with a binary mask (voxels > 0) on the same grid:
 * <ul>
 *   <li>mass inside = sum(map inside) / sum(map); mask share = mask voxels / all voxels;
 *       concentration = mass inside / mask share (1 = no better than spread evenly);</li>
 *   <li>pointing game: whether the map's peak (first flat index of the maximum) is inside;</li>
 *   <li>relevance rank accuracy (Arras et al. 2022, Quantus): of the |M| voxels with the highest
 *       map values (ties by flat index), the share inside M; relevance mass accuracy is the mass
 *       inside;</li>
 *   <li>at a threshold t the attention A = {map > t}: IoU = |A and M| / |A or M|, IoA = |A and M| /
 *       |A| (M3d-CAM's intersection over attention); t = Otsu's threshold and 0.25, 0.5, 0.75.</li>
 * </ul>
 * Ratios with an empty denominator are NaN (written as null).
 */
public record MaskAgreement(double massInside, double maskShare, double concentration, boolean peakInside,
    double otsuThreshold, Map<String, Overlap> overlaps, double rankAccuracy) {

  public static final double[] FIXED_LEVELS = {0.25, 0.5, 0.75};

  /** IoU and IoA at one threshold. */
  public record Overlap(double threshold, double iou, double ioa) {}

  public static MaskAgreement of(float[] map, float[] mask) {
    if (map.length != mask.length) {
      throw new Gradcam3dException("the mask has " + mask.length + " voxels but the map has " + map.length
          + "; they must be on the same grid");
    }
    double total = 0;
    double inside = 0;
    long maskVoxels = 0;
    int peak = 0;
    for (int i = 0; i < map.length; i++) {
      total += map[i];
      if (mask[i] > 0) {
        inside += map[i];
        maskVoxels++;
      }
      if (map[i] > map[peak]) {
        peak = i;
      }
    }
    double share = (double) maskVoxels / map.length;
    double mass = total == 0 ? Double.NaN : inside / total;
    double otsu = Otsu.threshold(map);
    Map<String, Overlap> overlaps = new LinkedHashMap<>();
    overlaps.put("otsu", overlap(map, mask, otsu));
    for (double t : FIXED_LEVELS) {
      overlaps.put(Double.toString(t), overlap(map, mask, t));
    }
    return new MaskAgreement(mass, share, share == 0 ? Double.NaN : mass / share, mask[peak] > 0, otsu, overlaps,
        rankAccuracy(map, mask));
  }

  /** The share of the |M| top voxels of the map (ties by flat index) inside M; NaN for an empty mask. */
  public static double rankAccuracy(float[] map, float[] mask) {
    int inside = 0;
    for (float m : mask) {
      inside += m > 0 ? 1 : 0;
    }
    if (inside == 0) {
      return Double.NaN;
    }
    int[] order = Ranking.byMap(map);
    int hits = 0;
    for (int j = 0; j < inside; j++) {
      hits += mask[order[j]] > 0 ? 1 : 0;
    }
    return (double) hits / inside;
  }

  static Overlap overlap(float[] map, float[] mask, double t) {
    long both = 0;
    long either = 0;
    long attended = 0;
    for (int i = 0; i < map.length; i++) {
      boolean a = map[i] > t;
      boolean m = mask[i] > 0;
      both += a && m ? 1 : 0;
      either += a || m ? 1 : 0;
      attended += a ? 1 : 0;
    }
    return new Overlap(t, either == 0 ? Double.NaN : (double) both / either,
        attended == 0 ? Double.NaN : (double) both / attended);
  }
}
