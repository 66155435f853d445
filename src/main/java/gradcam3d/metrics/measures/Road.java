package gradcam3d.metrics.measures;

import gradcam3d.Gradcam3dException;
import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricParams.Param;
import gradcam3d.metrics.MetricSample;
import gradcam3d.metrics.NoisyLinearImputation;
import gradcam3d.metrics.NotApplicable;
import java.util.Arrays;
import java.util.List;

/**
 * ROAD, remove and debias (Rong et al. 2022), as pytorch-grad-cam's ROADCombined computes it on
 * the final map (cam, in [0, 1]), in 3D: for each percentile p, MoRF removes the voxels with cam >=
 * the p-th percentile of cam (numpy.percentile, linear), LeRF those with 1 - cam >= the p-th
 * percentile of 1 - cam; removed voxels are filled by {@link NoisyLinearImputation} (noise sigma =
 * noise * (max x - min x), stream (seed, 106, run)); each copy scores s(copy) - s(x). MoRF and LeRF
 * are the means over the percentiles, combined = (LeRF - MoRF) / 2 (higher is better).
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
    return "voxels above a percentile of the map (MoRF) or below it (LeRF) removed and filled by noisy linear "
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
    float[] inverse = new float[cam.length];
    for (int i = 0; i < cam.length; i++) {
      inverse[i] = 1 - cam[i];
    }
    int k = percentiles.length;
    double y = s.unperturbedScore();
    float[] x = s.input();
    double[] scores;
    try {
      scores = s.scoreFeatures(2 * k, j -> {
        float[] m = j < k ? cam : inverse;
        double t = percentile(m, percentiles[j % k]);
        boolean[] removed = new boolean[m.length];
        for (int i = 0; i < m.length; i++) {
          removed[i] = !(m[i] < t);
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

  /** numpy.percentile(values, p) (linear interpolation between order statistics). */
  static double percentile(float[] values, double p) {
    double[] v = new double[values.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = values[i];
    }
    Arrays.sort(v);
    double pos = p / 100 * (v.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(v.length - 1, lo + 1);
    double frac = pos - lo;
    double d = v[hi] - v[lo];
    // numpy's _lerp: from the nearer end
    return frac >= 0.5 ? v[hi] - d * (1 - frac) : v[lo] + d * frac;
  }
}
