package gradcam3d.pipeline;

import gradcam3d.cam.Explanation;
import gradcam3d.metrics.Evaluation;
import gradcam3d.cam.Target;
import gradcam3d.window.WindowedExplanation;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one explained case produced, typed: what was asked, the loaded input, the final
 * maps and target facts ({@link Explanation}), the agreement with a true label (or null), the
 * faithfulness metrics (null unless asked for), how long the stages took and, for a volume
 * explained through sliding windows, the windows' facts (segmentation, prediction, grid; else
 * null), and the per-structure and per-channel tables (null unless asked for, {@link Tables}). The
 * output writers take this and nothing else.
 */
public record CaseResult(Settings settings, CaseInput input, LoadedCase loaded, Explanation explanation,
    LabelOverlap label, Evaluation metrics, double pipelineMs, WindowedExplanation windows, Tables tables) {

  /** Without tables ({@link #withTables} adds them). */
  public CaseResult(Settings settings, CaseInput input, LoadedCase loaded, Explanation explanation,
      LabelOverlap label, Evaluation metrics, double pipelineMs, WindowedExplanation windows) {
    this(settings, input, loaded, explanation, label, metrics, pipelineMs, windows, null);
  }

  /** The same result with the per-structure and per-channel tables (null: none). */
  public CaseResult withTables(Tables t) {
    return new CaseResult(settings, input, loaded, explanation, label, metrics, pipelineMs, windows, t);
  }

  /** A result explained in one piece (no sliding windows). */
  public CaseResult(Settings settings, CaseInput input, LoadedCase loaded, Explanation explanation,
      LabelOverlap label, Evaluation metrics, double pipelineMs) {
    this(settings, input, loaded, explanation, label, metrics, pipelineMs, null);
  }

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
