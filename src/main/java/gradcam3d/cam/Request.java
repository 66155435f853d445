package gradcam3d.cam;

import gradcam3d.Defaults;
import gradcam3d.Gradcam3dException;
import gradcam3d.OptionValueException;
import gradcam3d.Setting;
import gradcam3d.graph.LayerSpec;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.Score;
import java.util.List;

/**
 * What to explain and how: the layers (none for input-space methods), the method, the targets,
 * which model output they read with which score, whether each layer's activation and gradient
 * are kept, the perturbation batch, where progress goes, and whether it explains the windows of
 * a sliding-window explanation ({@link Builder#windowed}). Made by {@link #of} or
 * {@link #builder}; {@link #programAt} starts a gradient program's configuration from it.
 */
public record Request(List<LayerSpec> layers, CamMethod method, List<Target> targets, int modelOutput,
    Score score, boolean keepTensors, int batchSize, Progress progress, boolean windowed) {
  public Request {
    if (!layers.isEmpty() && method.atLayers() != null) {
      method = method.atLayers();  // LRP: the relevance arriving at the layers
    }
    if (method.propagatesRelevance() && score != Score.LOGITS) {
      throw new OptionValueException(Setting.SCORE, method.name() + " starts from the target's seed at "
          + "the model output; " + Setting.SCORE.label() + " probabilities does not apply to it (use "
          + Setting.LRP_START.label() + " logits to start from the logits)");
    }
    if (!method.takesLayers() && !layers.isEmpty()) {
      throw new OptionValueException(Setting.LAYER, method.name() + " attributes to the model input; "
          + "it takes no " + Setting.LAYER.label());
    }
    if (method.takesLayers() && layers.isEmpty()) {
      throw new OptionValueException(Setting.LAYER, "give at least one " + Setting.LAYER.label());
    }
    if (method.contrast() != null && score != Score.LOGITS) {
      throw new OptionValueException(Setting.SCORE, method.name() + " contrasts the classes' logits; "
          + Setting.SCORE.label() + " probabilities does not apply to it");
    }
    if (batchSize < 1) {
      throw new Gradcam3dException(Setting.BATCH_SIZE, Setting.BATCH_SIZE.label() + " must be at least 1, not "
          + batchSize);
    }
  }

  /** A request for whole inputs (not the windows of a sliding-window explanation). */
  public Request(List<LayerSpec> layers, CamMethod method, List<Target> targets, int modelOutput, Score score,
      boolean keepTensors, int batchSize, Progress progress) {
    this(layers, method, targets, modelOutput, score, keepTensors, batchSize, progress, false);
  }

  /** Logits of model output 0, no tensors kept, the default perturbation batch, no progress. */
  public static Request of(List<LayerSpec> layers, CamMethod method, Target target) {
    return new Request(layers, method, List.of(target), Defaults.MODEL_OUTPUT,
        Score.LOGITS, false, Defaults.BATCH_SIZE, Progress.NONE);
  }

  /** A builder starting from {@link #of}. */
  public static Builder builder(List<LayerSpec> layers, CamMethod method, Target target) {
    return of(layers, method, target).toBuilder();
  }

  /** A builder starting from this request, to change some of it. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * The one place a gradient program's configuration starts from a request: at {@code layers}
   * (the request's, or the model input standing in for them), reading the request's model output
   * with its score; the caller adds the method's rules, outputs and extension.
   */
  public GradientEngine.Config.Builder programAt(List<LayerSpec> layers) {
    GradientEngine.Config.Builder cfg = GradientEngine.Config.builder(layers).modelOutput(modelOutput).score(score);
    return windowed ? cfg.ungated() : cfg;
  }

  /** A request changed setting by setting and checked by {@link #build}; the fields are the record's. */
  public static final class Builder {
    private List<LayerSpec> layers;
    private CamMethod method;
    private List<Target> targets;
    private int modelOutput;
    private Score score;
    private boolean keepTensors;
    private int batchSize;
    private Progress progress;
    private boolean windowed;

    private Builder(Request r) {
      layers = r.layers;
      method = r.method;
      targets = r.targets;
      modelOutput = r.modelOutput;
      score = r.score;
      keepTensors = r.keepTensors;
      batchSize = r.batchSize;
      progress = r.progress;
      windowed = r.windowed;
    }

    public Builder method(CamMethod v) {
      method = v;
      return this;
    }

    public Builder modelOutput(int v) {
      modelOutput = v;
      return this;
    }

    public Builder score(Score v) {
      score = v;
      return this;
    }

    public Builder keepTensors(boolean v) {
      keepTensors = v;
      return this;
    }

    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    public Builder progress(Progress v) {
      progress = v;
      return this;
    }

    /**
     * The request explains the windows of a sliding-window explanation, one target per window
     * whose region is fixed on the blended prediction (its predicted-mask gate off): the programs
     * have no gate ({@link GradientEngine.Config.Builder#ungated}) and the explanations carry no
     * region of their own (the whole volume's is made from the blend).
     */
    public Builder windowed() {
      windowed = true;
      return this;
    }

    public Request build() {
      return new Request(layers, method, targets, modelOutput, score, keepTensors, batchSize, progress, windowed);
    }
  }
}
