package gradcam3d.metrics.measures;

import gradcam3d.metrics.CubeGrid;
import gradcam3d.metrics.FeatureBaseline;
import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricParams.Param;
import gradcam3d.metrics.MetricSample;
import java.util.List;

/**
 * Infidelity (Yeh et al. 2019) as Quantus 0.6 computes it with its default baseline perturbation:
 * the cubes of a {@link CubeGrid} are replaced by the baseline one after another in grid order
 * (cumulatively); after each, the score drop s(x) - s(x_i) is compared with sum(A * (x - x_i)); the
 * result is the mean squared difference over the steps (lower is better). A is used as given (not
 * normalised). Quantus repeats this for several draws of a random baseline; the default baseline
 * (black) is not random, so one pass over the cubes is the whole metric.
 */
public final class Infidelity implements Metric {
  static final int STREAM = 7;

  @Override
  public String name() {
    return "infidelity";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.FAITHFULNESS;
  }

  @Override
  public String definition() {
    return "mean squared difference between the score drop and the attribution-weighted input change when cubes "
        + "are replaced one after another (Yeh et al. 2019); lower is better";
  }

  @Override
  public List<Param> params() {
    return List.of(Param.count("cube", "auto", "cube edge (auto: about 64 cubes; Quantus: 4x4 patches)"),
        Param.choice("baseline", "black", FeatureBaseline.NAMES, "replacement value (Quantus: black)"));
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
    int steps = g.size();
    FeatureBaseline baseline = FeatureBaseline.byName(s.params().text(this, "baseline"));
    float[] a = s.attribution(false, false);
    float[] x = s.input();
    int n = s.voxels();
    int[][] groups = new int[steps][];
    int[] order = new int[steps];
    for (int c = 0; c < steps; c++) {
      groups[c] = Measures.allChannels(g.voxels(c), n, s.channels());
      order[c] = c;
    }
    Cumulative copies = new Cumulative(s, groups, order, steps, baseline, STREAM + 100, 0);
    double y = s.unperturbedScore();
    double[] scores = s.scoreFeatures(steps, copies::copy);
    // sum(A * (x - x_i)) accumulates cube by cube: x_i differs from x exactly on the cubes so far
    double[] drops = new double[steps];
    double[] weighted = new double[steps];
    double acc = 0;
    double mse = 0;
    for (int i = 0; i < steps; i++) {
      float[] p = copies.copy(i);
      for (int f : groups[i]) {
        acc += (double) a[f] * (float) (x[f] - p[f]);
      }
      drops[i] = y - scores[i];
      weighted[i] = acc;
      mse += (drops[i] - weighted[i]) * (drops[i] - weighted[i]) / steps;
    }
    return new Result(Measures.json("infidelity", mse, "cube_edge", g.edge(), "cubes", steps, "baseline",
        baseline.label(), "score_drops", drops, "attribution_changes", weighted), Measures.headline("infidelity", mse));
  }
}
