package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a map's mass lies by structure: for each value of a label map on the map's grid (e.g.
 * TotalSegmentator's organs, 0 included), its voxels, their share of the volume, the map's mass
 * (sum) and mean there, the mass's share of the total, and that share over the volume share
 * (enrichment: 1 = no more than an even spread would give).
 */
public record AtlasTable(List<Row> rows, double totalMass) {
  /** One label value. */
  public record Row(int value, String name, long voxels, double volumeShare, double mass, double mean, double share,
      double enrichment) {}

  /**
   * @param map the map, N values (non-negative: the final map)
   * @param labels the label map on the same grid (values rounded to integers)
   * @param names names by value (missing: "label VALUE")
   */
  public static AtlasTable of(float[] map, float[] labels, Map<Integer, String> names) {
    if (map.length != labels.length) {
      throw new Gradcam3dException("the atlas has " + labels.length + " voxels but the map has " + map.length);
    }
    TreeMap<Integer, double[]> acc = new TreeMap<>();
    double total = 0;
    for (int i = 0; i < map.length; i++) {
      int v = Math.round(labels[i]);
      double[] a = acc.computeIfAbsent(v, k -> new double[2]);
      a[0]++;
      a[1] += map[i];
      total += map[i];
    }
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<Integer, double[]> e : acc.entrySet()) {
      int v = e.getKey();
      double voxels = e.getValue()[0];
      double mass = e.getValue()[1];
      double volumeShare = voxels / map.length;
      double share = total == 0 ? Double.NaN : mass / total;
      String name = names == null ? null : names.get(v);
      rows.add(new Row(v, name != null ? name : "label " + v, (long) voxels, volumeShare, mass, mass / voxels, share,
          share / volumeShare));
    }
    return new AtlasTable(rows, total);
  }
}
