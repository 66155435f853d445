package gradcam3d.metrics.measures;

import gradcam3d.metrics.CubeGrid;
import gradcam3d.metrics.FeatureBaseline;
import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricParams.Param;
import gradcam3d.metrics.MetricSample;
import gradcam3d.metrics.Orders;
import java.util.List;

/**
 * Region perturbation (Samek et al. 2015; Quantus RegionPerturbation) with cubes: the volume is cut
 * into cubes of edge e ({@link CubeGrid}, about 64 cubes by default); cubes are ordered by their
 * attribution sum (all channels; MoRF: highest first, LeRF: lowest first, ties by cube number) and
 * the first {@code regions} of them are replaced by the baseline one after another (cumulatively);
 * the curve is s(x) - s(x_i) after each, and its area np.trapz(curve, dx=1) is reported as in
 * Quantus (MoRF: higher is better; LeRF: lower is better), with mean = area / (regions - 1).
 */
public final class RegionPerturbation implements Metric {
  static final int STREAM = 4;
  static final int CUBES = 64;

  @Override
  public String name() {
    return "region-perturbation";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.FAITHFULNESS;
  }

  @Override
  public String definition() {
    return "cubes replaced cumulatively by the baseline in order of their attribution, most relevant first (MoRF) "
        + "and least relevant first (LeRF); area under the score-drop curve (Samek et al. 2015); MoRF higher, "
        + "LeRF lower is better";
  }

  @Override
  public List<Param> params() {
    return List.of(Param.count("cube", "auto", "cube edge in voxels (auto: about 64 cubes; Quantus: 8x8 patches)"),
        Param.count("regions", "auto", "cubes removed (auto: a quarter of them; Quantus: 100)"),
        Param.choice("baseline", "black", FeatureBaseline.NAMES, "replacement value (Quantus: black)"));
  }

  CubeGrid grid(MetricSample s) {
    return new CubeGrid(s.spatial(), s.params().count(this, "cube", CubeGrid.autoEdge(s.spatial(), CUBES)));
  }

  int regions(MetricSample s, CubeGrid g) {
    return Math.min(g.size(), s.params().count(this, "regions", (g.size() + 3) / 4));
  }

  @Override
  public Cost cost(MetricSample s) {
    return new Cost(2L * regions(s, grid(s)), 0);
  }

  @Override
  public Result measure(MetricSample s) {
    CubeGrid g = grid(s);
    int regions = regions(s, g);
    FeatureBaseline baseline = FeatureBaseline.byName(s.params().text(this, "baseline"));
    float[] a = s.attribution(false, true);
    int n = s.voxels();
    int[][] cubes = new int[g.size()][];
    double[] sums = new double[g.size()];
    for (int c = 0; c < cubes.length; c++) {
      cubes[c] = Measures.allChannels(g.voxels(c), n, s.channels());
      for (int i : cubes[c]) {
        sums[c] += a[i];
      }
    }
    double y = s.unperturbedScore();
    int[][] orders = {Orders.descending(sums), Orders.ascending(sums)};
    Cumulative[] copies = new Cumulative[2];
    for (int o = 0; o < 2; o++) {
      copies[o] = new Cumulative(s, cubes, orders[o], regions, baseline, STREAM + 100, o * regions);
    }
    double[] scores = s.scoreFeatures(2 * regions, j -> copies[j / regions].copy(j % regions));
    double[][] curves = new double[2][regions];
    double[] areas = new double[2];
    for (int o = 0; o < 2; o++) {
      for (int i = 0; i < regions; i++) {
        curves[o][i] = y - scores[o * regions + i];
      }
      areas[o] = trapezoid(curves[o]);
    }
    double per = Math.max(1, regions - 1);
    return new Result(Measures.json("cube_edge", g.edge(), "cubes", g.size(), "regions", regions, "baseline",
        baseline.label(), "morf_auc", areas[0], "lerf_auc", areas[1], "morf_mean_drop", areas[0] / per,
        "lerf_mean_drop", areas[1] / per, "morf_curve", curves[0], "lerf_curve", curves[1]),
        Measures.headline("region_perturbation_morf_auc", areas[0], "region_perturbation_lerf_auc", areas[1]));
  }

  /** numpy.trapz(y, dx=1). */
  static double trapezoid(double[] y) {
    double a = 0;
    for (int i = 0; i + 1 < y.length; i++) {
      a += (y[i] + y[i + 1]) / 2;
    }
    return a;
  }
}
