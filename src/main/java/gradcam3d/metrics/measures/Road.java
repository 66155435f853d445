package gradcam3d.metrics.measures;

import gradcam3d.Gradcam3dException;
import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricParams.Param;
import gradcam3d.metrics.MetricSample;
import gradcam3d.metrics.NoisyLinearImputation;
import gradcam3d.metrics.NotApplicable;
import gradcam3d.metrics.Orders;
import java.util.List;

/**
 * ROAD, remove and debias (Rong et al. 2022), as pytorch-grad-cam's ROADCombined computes it on
 * the final map (cam, in [0, 1]), in 3D: for each percentile p, MoRF keeps the k = floor(p N / 100 + 1/2)
 * voxels of lowest cam and removes the others (the most relevant), LeRF keeps the k of highest
 * cam (ranks with ties by index: pytorch-grad-cam keeps cam below its p-th percentile, which on a
 * map that is 0 on more than p % of the voxels removes every voxel at once; where the values
 * differ the two agree); removed voxels are filled by {@link NoisyLinearImputation} (noise sigma =
 * noise * (max x - min x), stream (seed, 106, run)); each copy scores s(copy) - s(x). MoRF and
 * LeRF are the means over the percentiles, combined = (LeRF - MoRF) / 2 (higher is better).
 */
public final class Road implements Metric {
  static final int STREAM = 6;
  static final double[] PERCENTILES = {10, 20, 30, 40, 50, 60, 70, 80, 90};

  @Override
  public String name() {
    return "road";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.FAITHFULNESS;
  }

  @Override
  public String definition() {
    return "voxels above a percentile of the map (MoRF) or below it (LeRF, by rank) removed and filled by noisy linear "
        + "imputation from their 6 neighbours; score change averaged over percentiles 10..90; combined = "
        + "(LeRF - MoRF) / 2 (Rong et al. 2022, pytorch-grad-cam's ROADCombined); higher is better";
  }

  @Override
  public List<Param> params() {
    return List.of(Param.positive("noise", "0.0025", "imputation noise sigma as a fraction of max x - min x "
        + "(pytorch-grad-cam: 0.01 on normalised images)"));
  }

  @Override
  public Cost cost(MetricSample s) {
    return new Cost(2L * PERCENTILES.length, 0);
  }

  @Override
  public Result measure(MetricSample s) {
    Combined c = combined(s, PERCENTILES, s.params().number(this, "noise") * (s.max() - s.min()), STREAM);
    return new Result(Measures.json("combined", c.combined(), "morf", c.morf(), "lerf", c.lerf(), "percentiles",
        PERCENTILES, "morf_changes", c.morfChanges(), "lerf_changes", c.lerfChanges()),
        Measures.headline("road", c.combined()));
  }

  /** ROAD's MoRF and LeRF changes per percentile, their means, and (LeRF - MoRF) / 2. */
  record Combined(double[] morfChanges, double[] lerfChanges, double morf, double lerf, double combined) {}

  static Combined combined(MetricSample s, double[] percentiles, double noise, int stream) {
    float[] cam = s.cam();
    int n = cam.length;
    int[] order = Orders.descending(cam);
    int k = percentiles.length;
    double y = s.unperturbedScore();
    float[] x = s.input();
    double[] scores;
    try {
      scores = s.scoreFeatures(2 * k, j -> {
        int kept = (int) Math.floor(percentiles[j % k] * n / 100 + 0.5);
        boolean[] removed = new boolean[n];
        // MoRF removes the first n - kept of the order (most relevant), LeRF its last n - kept
        for (int i = 0; i < n - kept; i++) {
          removed[j < k ? order[i] : order[n - 1 - i]] = true;
        }
        return NoisyLinearImputation.impute(x, s.spatial(), removed, noise, s.random(stream + 100, j));
      });
    } catch (Gradcam3dException e) {
      throw new NotApplicable("ROAD is undefined for this map: " + e.getMessage());
    }
    double[] morf = new double[k];
    double[] lerf = new double[k];
    double mm = 0;
    double ml = 0;
    for (int i = 0; i < k; i++) {
      morf[i] = scores[i] - y;
      lerf[i] = scores[k + i] - y;
      mm += morf[i] / k;
      ml += lerf[i] / k;
    }
    return new Combined(morf, lerf, mm, ml, (ml - mm) / 2);
  }
}
