package gradcam3d.pipeline;

import gradcam3d.Defaults;
import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.Request;
import gradcam3d.cam.methods.CamMethods;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.runtime.Score;
import gradcam3d.volume.GridChain;
import gradcam3d.volume.Layout;
import gradcam3d.volume.Normalization;
import gradcam3d.window.SlidingWindowExplainer;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything an explanation run needs, in one immutable record with the defaults in one place:
 * the model and how to read inputs for it, what to explain (layers, method, targets, score,
 * model output) and how to run (threads, perturbation batch, progress). The command line fills
 * it from its options; Java callers start from {@link #of} (the command line's defaults, {@link
 * gradcam3d.Defaults}) and change what they need, one setting by its {@code with} method or several
 * through {@link #builder}.
 *
 * @param model the ONNX model file
 * @param modelName how reports name the model (the file name unless told)
 * @param layers module paths, {@code module@k} elements or tensor names, each with its token grid if
 *     given ({@link LayerSpec}; none for input-space methods, checked with the method by
 *     {@link Request})
 * @param method the CAM method
 * @param targets what to explain ({@link Target}); empty: argmax for classifiers
 * @param score logits or probabilities
 * @param modelOutput which output of a multi-output model the target reads
 * @param layout how NIfTI axes map to the model tensor
 * @param normalization intensity preprocessing of the inputs
 * @param threads ONNX Runtime threads, 1..{@link #MAX_THREADS}
 * @param batchSize perturbed passes per batch (Score-CAM, Ablation-CAM; capped at the channels)
 * @param keepTensors keep each layer's activation and gradient in the result
 * @param progress where long loops report progress
 * @param window sliding windows over a volume larger than the model's window, or null for one
 *     explanation of the whole input
 * @param grid the grid steps from the scan as stored to the model's grid (reorientation), undone
 *     for every output
 * @param ensemble more folds averaged with the model, and test-time mirroring (nnU-Net's predictor)
 */
public record Settings(Path model, String modelName, List<LayerSpec> layers, CamMethod method, List<Target> targets,
    Score score, int modelOutput, Layout layout, Normalization normalization, int threads,
    int batchSize, boolean keepTensors, Progress progress, SlidingWindowExplainer.Settings window, GridChain grid,
    Ensemble ensemble) {

  /** More threads than this only adds contention; far more exhausts memory in ONNX Runtime. */
  public static final int MAX_THREADS = Math.max(64, Runtime.getRuntime().availableProcessors());

  public Settings {
    if (model == null) {
      throw new Gradcam3dException("no model given");
    }
    layers = List.copyOf(layers);
    targets = List.copyOf(targets);
    checkThreads(threads);
    if (batchSize < 1) {
      throw new Gradcam3dException(Setting.BATCH_SIZE, Setting.BATCH_SIZE.label() + " must be at least 1, not "
          + batchSize);
    }
    if (modelOutput < 0) {
      throw new Gradcam3dException(Setting.MODEL_OUTPUT, Setting.MODEL_OUTPUT.label() + " must be 0 or more, not "
          + modelOutput);
    }
    if (modelName == null) {
      modelName = model.toString();
    }
    if (grid == null) {
      grid = GridChain.none();
    }
    if (ensemble == null) {
      ensemble = Ensemble.NONE;
    }
  }

  /** Without sliding windows. */
  public Settings(Path model, String modelName, List<LayerSpec> layers, CamMethod method, List<Target> targets,
      Score score, int modelOutput, Layout layout, Normalization normalization, int threads,
      int batchSize, boolean keepTensors, Progress progress) {
    this(model, modelName, layers, method, targets, score, modelOutput, layout, normalization, threads, batchSize,
        keepTensors, progress, null, null, null);
  }

  /** Fails unless 1 <= n <= {@link #MAX_THREADS}. */
  public static void checkThreads(int n) {
    if (n < 1 || n > MAX_THREADS) {
      throw new Gradcam3dException(Setting.THREADS, Setting.THREADS.label() + " must be between 1 and "
          + MAX_THREADS + ", not " + n);
    }
  }

  /** The command line's defaults ({@link Defaults}): Grad-CAM on logits of output 0, zyx layout, no normalisation, all cores, batch 2. */
  public static Settings of(Path model, List<LayerSpec> layers) {
    return new Settings(model, null, layers, CamMethods.byName(Defaults.METHOD), List.of(), Score.LOGITS,
        Defaults.MODEL_OUTPUT, Layout.ZYX, Normalization.NONE, Defaults.threads(), Defaults.BATCH_SIZE,
        false, Progress.NONE, null, null, null);
  }

  public Settings withModelName(String name) {
    return toBuilder().modelName(name).build();
  }

  public Settings withMethod(CamMethod m) {
    return toBuilder().method(m).build();
  }

  public Settings withLayers(List<LayerSpec> l) {
    return toBuilder().layers(l).build();
  }

  public Settings withTargets(List<Target> t) {
    return toBuilder().targets(t).build();
  }

  public Settings withScore(Score s) {
    return toBuilder().score(s).build();
  }

  public Settings withModelOutput(int k) {
    return toBuilder().modelOutput(k).build();
  }

  public Settings withLayout(Layout l) {
    return toBuilder().layout(l).build();
  }

  public Settings withNormalization(Normalization n) {
    return toBuilder().normalization(n).build();
  }

  public Settings withThreads(int n) {
    return toBuilder().threads(n).build();
  }

  public Settings withBatchSize(int n) {
    return toBuilder().batchSize(n).build();
  }

  public Settings withTensors(boolean keep) {
    return toBuilder().keepTensors(keep).build();
  }

  public Settings withProgress(Progress p) {
    return toBuilder().progress(p).build();
  }

  /** Explains each volume through sliding windows ({@code null}: the whole input at once). */
  public Settings withWindow(SlidingWindowExplainer.Settings w) {
    return toBuilder().window(w).build();
  }

  /** The model sees the scan after these grid steps (e.g. reoriented to RAS); every output goes back. */
  public Settings withGrid(GridChain g) {
    return toBuilder().grid(g).build();
  }

  /** The model averaged with more folds and/or mirrored at test time (nnU-Net's predictor). */
  public Settings withEnsemble(Ensemble e) {
    return toBuilder().ensemble(e).build();
  }

  /** A builder starting from these settings, to change several of them at once. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** A builder starting from {@link #of}: the command line's defaults. */
  public static Builder builder(Path model, List<LayerSpec> layers) {
    return of(model, layers).toBuilder();
  }

  /** Settings changed one by one and checked together by {@link #build}; the fields are the record's. */
  public static final class Builder {
    private Path model;
    private String modelName;
    private List<LayerSpec> layers;
    private CamMethod method;
    private List<Target> targets;
    private Score score;
    private int modelOutput;
    private Layout layout;
    private Normalization normalization;
    private int threads;
    private int batchSize;
    private boolean keepTensors;
    private Progress progress;
    private SlidingWindowExplainer.Settings window;
    private GridChain grid;
    private Ensemble ensemble;

    private Builder(Settings s) {
      model = s.model;
      modelName = s.modelName;
      layers = s.layers;
      method = s.method;
      targets = s.targets;
      score = s.score;
      modelOutput = s.modelOutput;
      layout = s.layout;
      normalization = s.normalization;
      threads = s.threads;
      batchSize = s.batchSize;
      keepTensors = s.keepTensors;
      progress = s.progress;
      window = s.window;
      grid = s.grid;
      ensemble = s.ensemble;
    }

    public Builder model(Path v) {
      model = v;
      return this;
    }

    public Builder modelName(String v) {
      modelName = v;
      return this;
    }

    public Builder layers(List<LayerSpec> v) {
      layers = v;
      return this;
    }

    public Builder method(CamMethod v) {
      method = v;
      return this;
    }

    public Builder targets(List<Target> v) {
      targets = v;
      return this;
    }

    public Builder score(Score v) {
      score = v;
      return this;
    }

    public Builder modelOutput(int v) {
      modelOutput = v;
      return this;
    }

    public Builder layout(Layout v) {
      layout = v;
      return this;
    }

    public Builder normalization(Normalization v) {
      normalization = v;
      return this;
    }

    public Builder threads(int v) {
      threads = v;
      return this;
    }

    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    public Builder keepTensors(boolean v) {
      keepTensors = v;
      return this;
    }

    public Builder progress(Progress v) {
      progress = v;
      return this;
    }

    public Builder window(SlidingWindowExplainer.Settings v) {
      window = v;
      return this;
    }

    public Builder grid(GridChain v) {
      grid = v;
      return this;
    }

    public Builder ensemble(Ensemble v) {
      ensemble = v;
      return this;
    }

    public Settings build() {
      return new Settings(model, modelName, layers, method, targets, score, modelOutput, layout, normalization,
          threads, batchSize, keepTensors, progress, window, grid, ensemble);
    }
  }

  /**
   * Fails, before anything is loaded, when the method and layers do not go together (a method
   * that takes no layer given one, a layer method given none): bad option values.
   */
  public void checkRequest() {
    request();
  }

  /** The explainer's part of these settings. */
  Request request() {
    return new Request(layers, method, targets, modelOutput, score, keepTensors, batchSize, progress);
  }
}
