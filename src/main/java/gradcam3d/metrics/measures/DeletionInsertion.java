package gradcam3d.metrics.measures;

import gradcam3d.metrics.Baseline;
import gradcam3d.metrics.Evaluation;
import gradcam3d.metrics.FaithfulnessCurves;
import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricSample;
import gradcam3d.tensor.FloatTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Deletion and insertion curves ({@link FaithfulnessCurves}; Petsiuk et al. 2018, RISE) with the
 * evaluation's baseline, steps, step scale, curve score and random orders.
 */
public final class DeletionInsertion implements Metric {
  /** Where the curves are left in the sample's shared values, for the chart and the tables. */
  public static final String CURVES = "curves";

  @Override
  public String name() {
    return "deletion-insertion";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.FAITHFULNESS;
  }

  @Override
  public String definition() {
    return "voxels removed (deletion) or restored (insertion) in map order on a geometric scale of fractions; "
        + "areas under the normalised probability curves with the random orders' mean beside them (Petsiuk et "
        + "al. 2018); deletion lower, insertion higher is better";
  }

  @Override
  public Cost cost(MetricSample s) {
    Evaluation.Settings st = s.settings();
    int[] counts = st.stepScale().counts(st.steps(), s.regionShare(), s.voxels());
    return new Cost(FaithfulnessCurves.passes(counts, s.voxels(), 1 + st.randomSeeds()), 0);
  }

  @Override
  public Result measure(MetricSample s) {
    Evaluation.Settings st = s.settings();
    FloatTensor base = s.shared("baseline:" + st.baseline().label(), () -> st.baseline().of(s.x()));
    FaithfulnessCurves c = s.shared(CURVES, () -> FaithfulnessCurves.measure(s.scorer(), s.x(), s.cam(),
        st.baseline(), base, st.stepScale(), st.steps(), s.regionShare(), st.randomSeeds(), st.curveScore()));
    Map<String, Double> headline = new LinkedHashMap<>();
    headline.put("deletion_auc", c.deletionAuc());
    headline.put("insertion_auc", c.insertionAuc());
    if (c.randomSeeds() > 0) {
      headline.put("random_deletion_auc", c.randomDeletionAuc());
      headline.put("random_insertion_auc", c.randomInsertionAuc());
    }
    return new Result(json(c), headline);
  }

  /** The curves' JSON (summary.json "faithfulness"). */
  public static Map<String, Object> json(FaithfulnessCurves c) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("score", c.score().label());
    f.put("baseline", c.baseline().label());
    if (c.baseline() == Baseline.BLUR) {
      f.put("blur_sigma_voxels", Baseline.SIGMA);
      f.put("blur_truncate_sigmas", Baseline.TRUNCATE);
    }
    f.put("step_scale", c.schedule().label());
    f.put("steps", c.fractions().length);
    f.put("unperturbed_score", c.unperturbedScore());
    f.put("baseline_score", c.baselineScore());
    if (c.undefined() != null) {
      f.put("undefined", c.undefined());
    }
    f.put("deletion_auc", finite(c.deletionAuc()));
    f.put("insertion_auc", finite(c.insertionAuc()));
    f.put("random_seeds", c.randomSeeds());
    f.put("random_deletion_auc", finite(c.randomDeletionAuc()));
    f.put("random_insertion_auc", finite(c.randomInsertionAuc()));
    f.put("fractions", c.fractions());
    f.put("voxels_removed", java.util.Arrays.stream(c.counts()).boxed().toList());
    f.put("deletion", c.deletion());
    f.put("insertion", c.insertion());
    if (c.randomSeeds() > 0 && c.randomDeletion() != null) {
      f.put("random_deletion", c.randomDeletion());
      f.put("random_insertion", c.randomInsertion());
    }
    f.put("deletion_scores", c.deletionScores());
    f.put("insertion_scores", c.insertionScores());
    return f;
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
