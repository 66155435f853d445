package gradcam3d.metrics.measures;

import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricSample;
import gradcam3d.metrics.Similarity;

/**
 * AUC (Fawcett 2006; Quantus AUC): the area under the ROC curve of m / max |m| as a score of the
 * mask's voxels (sklearn roc_curve + auc), i.e. the chance that a voxel inside outranks one
 * outside, ties counting half.
 */
public final class RocAuc implements Metric {
  @Override
  public String name() {
    return "roc-auc";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.LOCALISATION;
  }

  @Override
  public String definition() {
    return "area under the ROC curve of the map as a detector of the mask's voxels (Fawcett 2006; Quantus AUC); "
        + "0.5 = chance, higher is better";
  }

  @Override
  public Cost cost(MetricSample s) {
    return Cost.FREE;
  }

  @Override
  public Result measure(MetricSample s) {
    float[] mask = Localisation.mask(s);
    double auc = Similarity.rocAuc(s.map(false, true), mask);
    return new Result(Measures.json("auc", auc, "mask", s.maskSource()), Measures.headline("roc_auc", auc));
  }
}
