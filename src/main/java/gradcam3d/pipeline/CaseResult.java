package gradcam3d.pipeline;

import gradcam3d.Setting;
import gradcam3d.cam.Conditioning;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Target;
import gradcam3d.metrics.Evaluation;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.window.WindowedExplanation;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one explained case produced, typed: what was asked, the loaded input, the final
 * maps and target facts ({@link Explanation}) on the scan's own grid, the agreement with a true
 * label (or null), the faithfulness metrics (null unless asked for), how long the stages took
 * and, for a volume explained through sliding windows, the windows' facts (segmentation,
 * prediction, grid; else null), also on the scan's grid; the explanation on the model's grid
 * ({@code modelGrid}, the same object when no grid step ran); and the per-structure and
 * per-channel tables (null unless asked for, {@link Tables}). The output writers take this and
 * nothing else.
 */
public record CaseResult(Settings settings, CaseInput input, LoadedCase loaded, Explanation explanation,
    LabelOverlap label, Evaluation metrics, double pipelineMs, WindowedExplanation windows, Explanation modelGrid,
    Tables tables) {

  /** Without tables ({@link #withTables} adds them). */
  public CaseResult(Settings settings, CaseInput input, LoadedCase loaded, Explanation explanation,
      LabelOverlap label, Evaluation metrics, double pipelineMs, WindowedExplanation windows, Explanation modelGrid) {
    this(settings, input, loaded, explanation, label, metrics, pipelineMs, windows, modelGrid, null);
  }

  /** On the scan's own grid only (no grid steps), without tables. */
  public CaseResult(Settings settings, CaseInput input, LoadedCase loaded, Explanation explanation,
      LabelOverlap label, Evaluation metrics, double pipelineMs, WindowedExplanation windows) {
    this(settings, input, loaded, explanation, label, metrics, pipelineMs, windows, explanation, null);
  }

  /** The same result with the per-structure and per-channel tables (null: none). */
  public CaseResult withTables(Tables t) {
    return new CaseResult(settings, input, loaded, explanation, label, metrics, pipelineMs, windows, modelGrid, t);
  }

  /** A result explained in one piece (no sliding windows) on the scan's own grid. */
  public CaseResult(Settings settings, CaseInput input, LoadedCase loaded, Explanation explanation,
      LabelOverlap label, Evaluation metrics, double pipelineMs) {
    this(settings, input, loaded, explanation, label, metrics, pipelineMs, null, explanation);
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

  /** Samples whose final map is zero everywhere (min-max turns a constant map into zeros): it says nothing. */
  public List<Integer> emptyMaps() {
    List<Integer> empty = new ArrayList<>();
    FloatTensor cam = explanation.cam();
    for (int b = 0; b < cam.dim(0); b++) {
      if (cam.view0(b).isZero()) { // a full pass only for an empty map
        empty.add(b);
      }
    }
    return empty;
  }

  /** What the map says nothing, and what usually helps. */
  public static final String EMPTY_MAP_ADVICE = "the map is zero everywhere (nothing survives its ReLU: with Grad-CAM "
      + "typically every channel weight is negative, or the activation is zero where the weights are positive); "
      + "hirescam or layercam (element-wise weights), or a layer nearer the output, usually give a map";

  /**
   * What the user should know before trusting the pictures: the readers' remarks, noisy Grad-CAM
   * weights, maps that are empty, windows that are mostly padding.
   */
  public List<String> warnings() {
    List<String> w = new ArrayList<>();
    if (loaded.scan() != null) {
      w.addAll(loaded.scan().warnings());
    }
    if (explanation.weightsIllConditioned()) {
      w.add(Conditioning.ADVICE);
    }
    List<Integer> empty = emptyMaps();
    if (!empty.isEmpty()) {
      String which = explanation.cam().dim(0) > 1 ? " (sample" + (empty.size() > 1 ? "s " : " ")
          + empty.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")) + ")" : "";
      w.add(EMPTY_MAP_ADVICE + which);
    }
    if (windows != null && windows.grid().paddingShare() > 0.5) {
      w.add(String.format(java.util.Locale.ROOT, "the scan %s is smaller than the window %s: %.0f%% of every window "
          + "is padding with " + Setting.PAD_VALUE.label() + " %s (the value the model sees, after "
          + Setting.NORMALIZE.label() + "); the map may say little about it: a smaller " + Setting.WINDOW.label()
          + ", or a model for this size, helps",
          gradcam3d.tensor.Shapes.format(windows.grid().volume()), gradcam3d.tensor.Shapes.format(windows.grid().window()),
          100 * windows.grid().paddingShare(), settings.window() == null ? "0" : Float.toString(settings.window().padValue())));
    }
    return w;
  }
}
