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
 * Iterative removal of features (Rieger and Hansen 2020; Quantus IROF) on a cube grid: Quantus
 * cuts 2D images into SLIC superpixels; here the supervoxels are the cubes of a {@link CubeGrid}
 * (about 64 by default), which needs no intensity scale and is the same for every method. The
 * supervoxels are ordered by their mean attribution (all channels, highest first, ties by number)
 * and replaced one after another by the mean of the copy perturbed so far (Quantus' baseline
 * "mean"); with p_i = s(x_i) / s(x), IROF = S - np.trapz(p, dx=1) over the S supervoxels, as
 * Quantus reports it (higher is better), and normalised = IROF / S.
 */
public final class Irof implements Metric {
  static final int STREAM = 5;

  @Override
  public String name() {
    return "irof";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.FAITHFULNESS;
  }

  @Override
  public String definition() {
    return "supervoxels (a cube grid, not SLIC) replaced one after another by the mean in order of their mean "
        + "attribution; area over the curve of score / unperturbed score, per supervoxel (Rieger and Hansen "
        + "2020); higher is better";
  }

  @Override
  public List<Param> params() {
    return List.of(Param.count("cube", "auto", "supervoxel cube edge (auto: about 64 cubes)"),
        Param.choice("baseline", "mean", FeatureBaseline.NAMES, "replacement value (Quantus: mean)"));
  }

  CubeGrid grid(MetricSample s) {
    return new CubeGrid(s.spatial(), s.params().count(this, "cube", CubeGrid.autoEdge(s.spatial(), RegionPerturbation.CUBES)));
  }

  @Override
  public Cost cost(MetricSample s) {
    return new Cost(grid(s).size(), 0);
  }

  @Override
  public Result measure(MetricSample s) {
    CubeGrid g = grid(s);
    int segments = g.size();
    FeatureBaseline baseline = FeatureBaseline.byName(s.params().text(this, "baseline"));
    float[] a = s.attribution(false, true);
    int n = s.voxels();
    int[][] groups = new int[segments][];
    double[] means = new double[segments];
    for (int c = 0; c < segments; c++) {
      groups[c] = Measures.allChannels(g.voxels(c), n, s.channels());
      double sum = 0;
      for (int i : groups[c]) {
        sum += a[i];
      }
      means[c] = sum / groups[c].length;
    }
    int[] order = Orders.descending(means);
    Cumulative copies = new Cumulative(s, groups, order, segments, baseline, STREAM + 100, 0);
    double y = s.unperturbedScore();
    double[] scores = s.scoreFeatures(segments, copies::copy);
    double[] ratios = new double[segments];
    for (int i = 0; i < segments; i++) {
      ratios[i] = scores[i] / y;
    }
    double aoc = segments - RegionPerturbation.trapezoid(ratios);
    return new Result(Measures.json("irof", aoc, "normalised", aoc / segments, "supervoxels", segments, "cube_edge",
        g.edge(), "baseline", baseline.label(), "curve", ratios), Measures.headline("irof", aoc / segments));
  }
}
