package gradcam3d.pipeline;

import gradcam3d.Defaults;
import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.CamMethods;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Target;
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
 * it from its options; Java callers start from {@link #of} and change what they need.
 *
 * @param model the ONNX model file
 * @param modelName how reports name the model (the file name unless told)
 * @param layers module paths, {@code module@k} elements or tensor names (none for input-space methods,
 *     checked with the method by {@link Explainer.Request})
 * @param method the CAM method
 * @param targets target texts ({@link Target#parse}); empty: argmax for classifiers
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
 */
public record Settings(Path model, String modelName, List<String> layers, CamMethod method, List<String> targets,
    Score score, int modelOutput, Layout layout, Normalization normalization, int threads,
    int batchSize, boolean keepTensors, Progress progress, SlidingWindowExplainer.Settings window, GridChain grid) {

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
  }

  /** Without sliding windows. */
  public Settings(Path model, String modelName, List<String> layers, CamMethod method, List<String> targets,
      Score score, int modelOutput, Layout layout, Normalization normalization, int threads,
      int batchSize, boolean keepTensors, Progress progress) {
    this(model, modelName, layers, method, targets, score, modelOutput, layout, normalization, threads, batchSize,
        keepTensors, progress, null, null);
  }

  /** Fails unless 1 <= n <= {@link #MAX_THREADS}. */
  public static void checkThreads(int n) {
    if (n < 1 || n > MAX_THREADS) {
      throw new Gradcam3dException(Setting.THREADS, Setting.THREADS.label() + " must be between 1 and "
          + MAX_THREADS + ", not " + n);
    }
  }

  /** The command line's defaults ({@link Defaults}): Grad-CAM on logits of output 0, zyx layout, no normalisation, all cores, batch 2. */
  public static Settings of(Path model, List<String> layers) {
    return new Settings(model, null, layers, CamMethods.byName(Defaults.METHOD), List.of(), Score.LOGITS,
        Defaults.MODEL_OUTPUT, Layout.ZYX, Normalization.NONE, Defaults.threads(), Defaults.BATCH_SIZE,
        false, Progress.NONE, null, null);
  }

  public Settings withModelName(String name) {
    return new Settings(model, name, layers, method, targets, score, modelOutput, layout, normalization, threads,
        batchSize, keepTensors, progress, window, grid);
  }

  public Settings withMethod(CamMethod m) {
    return new Settings(model, modelName, layers, m, targets, score, modelOutput, layout, normalization, threads,
        batchSize, keepTensors, progress, window, grid);
  }

  public Settings withLayers(List<String> l) {
    return new Settings(model, modelName, l, method, targets, score, modelOutput, layout, normalization, threads,
        batchSize, keepTensors, progress, window, grid);
  }

  public Settings withTargets(List<String> t) {
    return new Settings(model, modelName, layers, method, t, score, modelOutput, layout, normalization, threads,
        batchSize, keepTensors, progress, window, grid);
  }

  public Settings withScore(Score s) {
    return new Settings(model, modelName, layers, method, targets, s, modelOutput, layout, normalization, threads,
        batchSize, keepTensors, progress, window, grid);
  }

  public Settings withModelOutput(int k) {
    return new Settings(model, modelName, layers, method, targets, score, k, layout, normalization, threads,
        batchSize, keepTensors, progress, window, grid);
  }

  public Settings withLayout(Layout l) {
    return new Settings(model, modelName, layers, method, targets, score, modelOutput, l, normalization, threads,
        batchSize, keepTensors, progress, window, grid);
  }

  public Settings withNormalization(Normalization n) {
    return new Settings(model, modelName, layers, method, targets, score, modelOutput, layout, n, threads,
        batchSize, keepTensors, progress, window, grid);
  }

  public Settings withThreads(int n) {
    return new Settings(model, modelName, layers, method, targets, score, modelOutput, layout, normalization, n,
        batchSize, keepTensors, progress, window, grid);
  }

  public Settings withBatchSize(int n) {
    return new Settings(model, modelName, layers, method, targets, score, modelOutput, layout, normalization, threads,
        n, keepTensors, progress, window, grid);
  }

  public Settings withTensors(boolean keep) {
    return new Settings(model, modelName, layers, method, targets, score, modelOutput, layout, normalization, threads,
        batchSize, keep, progress, window, grid);
  }

  public Settings withProgress(Progress p) {
    return new Settings(model, modelName, layers, method, targets, score, modelOutput, layout, normalization, threads,
        batchSize, keepTensors, p, window, grid);
  }

  /** Explains each volume through sliding windows ({@code null}: the whole input at once). */
  public Settings withWindow(SlidingWindowExplainer.Settings w) {
    return new Settings(model, modelName, layers, method, targets, score, modelOutput, layout, normalization, threads,
        batchSize, keepTensors, progress, w, grid);
  }

  /** The model sees the scan after these grid steps (e.g. reoriented to RAS); every output goes back. */
  public Settings withGrid(GridChain g) {
    return new Settings(model, modelName, layers, method, targets, score, modelOutput, layout, normalization, threads,
        batchSize, keepTensors, progress, window, g);
  }

  /**
   * Fails, before anything is loaded, when the method and layers do not go together (a method
   * that takes no layer given one, a layer method given none): bad option values.
   */
  public void checkRequest() {
    request(List.of());
  }

  /** The explainer's part of these settings, for already parsed targets. */
  Explainer.Request request(List<Target> parsedTargets) {
    return new Explainer.Request(layers, method, parsedTargets, modelOutput, score, keepTensors, batchSize, progress);
  }
}
