package gradcam3d.pipeline;

import gradcam3d.cam.Explanation;
import gradcam3d.metrics.Evaluation;
import gradcam3d.cam.Target;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one explained case produced, typed: what was asked, the loaded input, the final
 * maps and target facts ({@link Explanation}), the agreement with a true label (or null), the
 * faithfulness metrics (null unless asked for) and how long the stages took. The output writers take this and nothing else.
 */
public record CaseResult(Settings settings, CaseInput input, LoadedCase loaded, Explanation explanation,
    LabelOverlap label, Evaluation metrics, double pipelineMs) {

  /** What one sample's target was and what it scored. */
  public record TargetSummary(int sample, String spec, String description, int explainedClass, long regionVoxels,
      double value) {}

  /** One entry per sample of the batch. */
  public List<TargetSummary> targets() {
    Explanation e = explanation;
    List<TargetSummary> out = new ArrayList<>();
    for (int b = 0; b < e.targets().size(); b++) {
      Target t = e.targets().get(b);
      out.add(new TargetSummary(b, t.spec(), t.describe(), e.explainedClass(b), e.regionVoxels()[b],
          e.targetValues().data()[b]));
    }
    return out;
  }

  /** Whether the model segments (its output has spatial axes) rather than classifies. */
  public boolean segmentation() {
    return explanation.outputShape().length > 2;
  }
}
