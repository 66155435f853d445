package gradcam3d.pipeline;

import gradcam3d.Gradcam3dException;
import gradcam3d.OptionValueException;
import gradcam3d.Setting;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Normalise;
import gradcam3d.cam.Request;
import gradcam3d.cam.Target;
import gradcam3d.graph.Graph;
import gradcam3d.graph.ModelEnsemble;
import gradcam3d.metrics.Evaluation;
import gradcam3d.metrics.PreparedScoring;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Labels;
import gradcam3d.tensor.Shapes;
import gradcam3d.volume.GridMapping;
import gradcam3d.volume.Normalization;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeIO;
import gradcam3d.window.SlidingWindowExplainer;
import gradcam3d.window.WindowedExplanation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The explanation flow as a library: one model opened once, then for each case the stages
 * load -> resolve targets -> explain (with the resize to the input grid) -> normalise -> result.
 * With {@link Settings#window} the explain and normalise stages run through sliding windows
 * ({@link SlidingWindowExplainer}: blended prediction, exact whole-volume target, one min-max).
 * No files are written here (that is {@code gradcam3d.output}); a test, a batch job or a
 * whole-volume engine calls {@link #run} or the stages one by one.
 *
 * <pre>{@code
 * Settings s = Settings.of(Path.of("unet.onnx"), LayerSpec.names("down3"))
 *     .withTargets(List.of(Target.parse("1")));
 * try (ExplanationPipeline p = new ExplanationPipeline(s)) {
 *   CaseResult r = p.run(CaseInput.of(Path.of("ct.nii.gz")));
 *   FloatTensor cam = r.explanation().cam();          // [B, *S] in [0, 1]
 * }
 * }</pre>
 */
public final class ExplanationPipeline implements AutoCloseable {
  private final Settings settings;
  private final int spatialRank;
  private final String inputName;
  private final List<Target> settingsTargets;
  private final Explainer explainer;
  private final SlidingWindowExplainer windowed;
  private final ModelProto model;
  private final Request request;
  private final Evaluation.Settings metrics;

  /** Reads the model and prepares the explainer (compiled per input shape on first use). */
  public ExplanationPipeline(Settings settings) {
    this(settings, null);
  }

  /** Same, and every case's maps measured ({@link #measure}) when {@code metrics} is not null. */
  public ExplanationPipeline(Settings settings, Evaluation.Settings metrics) {
    this.settings = settings;
    this.metrics = metrics;
    ModelProto m = model(settings);
    this.model = m;
    Graph g = Graph.fromModel(m);
    spatialRank = spatialRank(g);
    inputName = g.inputNames().get(0);
    settingsTargets = settings.targets();
    request = settings.request();
    if (settings.window() == null) {
      explainer = new Explainer(m, request, new RuntimeOptions(settings.threads()));
      windowed = null;
      return;
    }
    if (metrics != null) {
      throw new Gradcam3dException(Setting.METRICS, METRICS_WITH_WINDOWS);
    }
    if (settingsTargets.size() > 1) {
      throw new Gradcam3dException(Setting.TARGET, "sliding windows explain one volume for one target; give one "
          + Setting.TARGET.label());
    }
    explainer = null;
    // with resampling the segmentation on the scan is the argmax of the prediction brought back
    // (nnU-Net's rule), so the blended prediction is kept; written only when asked
    SlidingWindowExplainer.Settings w = settings.grid().resamples() ? settings.window().withPrediction(true)
        : settings.window();
    windowed = new SlidingWindowExplainer(m, request, w, new RuntimeOptions(settings.threads()));
  }

  /**
   * The model as the settings explain it: read as it is, or with its folds averaged and its input
   * mirrored ({@link Ensemble}, {@link ModelEnsemble}), each layer one joint tensor named as given.
   */
  static ModelProto model(Settings settings) {
    ModelProto first = ModelIO.read(settings.model());
    Ensemble e = settings.ensemble();
    if (e.isNone()) {
      return first;
    }
    List<ModelProto> folds = new ArrayList<>(List.of(first));
    for (Path p : e.moreFolds()) {
      folds.add(ModelIO.read(p));
    }
    long[] declared = Graph.declaredShape(Graph.fromModel(first).inputs().get(0));
    int spatial = declared == null ? 0 : Math.max(0, declared.length - 2);
    return ModelEnsemble.build(folds, e.mirrorAxes(spatial), settings.layers());
  }

  /**
   * A deletion or insertion curve removes at least one voxel per step: more steps than the
   * input's voxels + 1 are a bad steps setting (refused before anything is explained).
   */
  private void checkSteps(LoadedCase loaded) {
    if (metrics == null || !metrics.curves()) {
      return;
    }
    long[] s = loaded.batch().shape();
    long voxels = gradcam3d.tensor.Shapes.numel(java.util.Arrays.copyOfRange(s, 2, s.length));
    if (metrics.steps() > voxels + 1) {
      throw new gradcam3d.OptionValueException(Setting.STEPS, Setting.STEPS.label() + " " + metrics.steps()
          + " is more than the input's " + voxels + " voxels + 1 (a curve removes at least one voxel per step); use "
          + Setting.STEPS.label() + " " + (voxels + 1) + " or fewer");
    }
  }

  /** Why the metrics and sliding windows do not go together. */
  public static final String METRICS_WITH_WINDOWS = Setting.METRICS.label() + " is not available with "
      + Setting.WINDOW.label() + ": its perturbed forward passes score the whole volume in one model run, which is "
      + "what the windows avoid";

  public Settings settings() {
    return settings;
  }

  /** All stages for one case. */
  public CaseResult run(CaseInput c) {
    return run(c, loaded -> { });
  }

  /**
   * All stages for one case; {@code checkLoaded} sees the loaded input first (for the caller's
   * checks that need it, such as slice indices of the pictures).
   */
  public CaseResult run(CaseInput c, Consumer<LoadedCase> checkLoaded) {
    return run(c, List.of(), checkLoaded);
  }

  /**
   * All stages for one case with its own targets (empty: the settings' targets), e.g. a per-case
   * mask; the compiled program is shared all the same.
   */
  public CaseResult run(CaseInput c, List<Target> caseTargets, Consumer<LoadedCase> checkLoaded) {
    return run(c, caseTargets, checkLoaded, null);
  }

  /**
   * All stages for one case whose input files were read meanwhile ({@link InputPrefetch#start},
   * started before this pipeline was opened, so the files are read while the model is).
   */
  public CaseResult run(CaseInput c, InputPrefetch prefetched, Consumer<LoadedCase> checkLoaded) {
    return run(c, List.of(), checkLoaded, prefetched);
  }

  /**
   * All stages for one case with its own targets (empty: the settings' targets), its files read
   * beforehand ({@code prefetched}, or null: read here): one pipeline kept open for cases that
   * differ only in their input and targets (batch, {@code gradcam3d serve}).
   */
  public CaseResult run(CaseInput c, List<Target> caseTargets, InputPrefetch prefetched,
      Consumer<LoadedCase> checkLoaded) {
    return run(c, caseTargets, checkLoaded, prefetched);
  }

  /**
   * Sees a sliding-window segmentation on the scan's grid [1, *S] as soon as it is final, before
   * the explanation is ({@link SlidingWindowExplainer.SegmentationListener}): only where it is
   * already the one the result will hold (the scan is the model's grid); with resampling the
   * result's segmentation is made at the end from the prediction brought back, and this is not
   * called.
   */
  @FunctionalInterface
  public interface SegmentationListener {
    void segmentationFinal(Labels segmentationOnScan, int regionClass);
  }

  /**
   * All stages for one case as {@link #run(CaseInput, List, InputPrefetch, Consumer)}, and
   * {@code early} sees the segmentation as soon as it is final (null: none).
   */
  public CaseResult run(CaseInput c, List<Target> caseTargets, InputPrefetch prefetched,
      Consumer<LoadedCase> checkLoaded, SegmentationListener early) {
    return run(c, caseTargets, checkLoaded, prefetched, early);
  }

  private CaseResult run(CaseInput c, List<Target> caseTargets, Consumer<LoadedCase> checkLoaded,
      InputPrefetch prefetched) {
    return run(c, caseTargets, checkLoaded, prefetched, null);
  }

  private CaseResult run(CaseInput c, List<Target> caseTargets, Consumer<LoadedCase> checkLoaded,
      InputPrefetch prefetched, SegmentationListener early) {
    long start = System.nanoTime();
    LoadedCase loaded = load(c, prefetched);
    checkLoaded.accept(loaded);
    checkSteps(loaded);
    List<Target> targets = resolveTargets(loaded, caseTargets.isEmpty() ? settingsTargets : caseTargets);
    // the curves' sessions and baseline volume need no explanation: they are made meanwhile
    try (PreparedScoring prepared = metrics == null || !metrics.scoresCurves() || windowed != null ? null
        : PreparedScoring.start(model, request, loaded.batch(), metrics, new RuntimeOptions(settings.threads()))) {
      WindowedExplanation w = windowed == null ? null : explainWindows(loaded, targets, early);
      Explanation e = w != null ? w.explanation() : normalise(explain(loaded, targets));
      // the metrics perturb the model's input: they work on its grid; everything else on the scan's
      // the metrics read the target's region, which a whole-volume run leaves to its segmentation
      Evaluation ev = metrics == null ? null
          : measure(c, loaded, w != null && e.region() == null ? e.withRegion(w.region()) : e, metrics, prepared);
      Explanation onScan = ScanGrid.toScan(e, loaded.grid());
      WindowedExplanation wOnScan = w == null ? null
          : ScanGrid.toScan(w, onScan, loaded.grid(), settings.window().keepPrediction());
      LabelOverlap label = c.label() == null ? null : labelOverlap(c, loaded, onScan);
      return new CaseResult(settings, c, loaded, onScan, label, ev, (System.nanoTime() - start) / 1e6, wOnScan, e);
    }
  }

  /** Stage 1: the input files as the model's input tensor, checked and normalised. */
  public LoadedCase load(CaseInput c) {
    return load(c, null);
  }

  /** Same, with the files' contents read beforehand ({@code prefetched}; null: read here). */
  public LoadedCase load(CaseInput c, InputPrefetch prefetched) {
    List<Path> files = c.files();
    if (files.isEmpty()) {
      throw new Gradcam3dException(Setting.INPUT, "give an input with " + Setting.INPUT.label() + " FILE ("
          + gradcam3d.volume.VolumeFormat.SUPPORTED + ")");
    }
    List<Object> contents = new ArrayList<>();
    for (Path f : files) {
      Object read = prefetched == null ? null : prefetched.contents(f);
      contents.add(read != null ? read : VolumeIO.contents(f, c.series()));
    }
    if (files.size() == 1 && contents.get(0) instanceof FloatTensor raw) {
      if (raw.rank() == spatialRank + 2 && raw.dim(0) > 1) {
        // a batch of samples: checked for NaN first (normalising would spread it), then each
        // sample is normalised on its own
        String nonFinite = raw.nonFiniteMessage(files.get(0).toString());
        if (nonFinite != null) {
          throw new Gradcam3dException(nonFinite);
        }
        List<FloatTensor> samples = new ArrayList<>();
        for (int b = 0; b < raw.dim(0); b++) {
          samples.add(settings.normalization().apply(raw.slice0(b)));
        }
        return new LoadedCase(FloatTensor.stack(samples), null);
      }
    }
    List<Volume> parts = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      parts.add(VolumeIO.fromContents(files.get(i), contents.get(i), settings.layout(), spatialRank));
    }
    Volume scan = Volume.stack(parts).requireFinite();
    GridMapping grid = settings.grid().isEmpty() ? GridMapping.identity(scan) : settings.grid().apply(scan);
    Volume onModelGrid = grid.model();
    if (grid.intensity() != null) {
      // a chain step normalised already (nnU-Net normalises before resampling)
      return new LoadedCase(onModelGrid.batch(), onModelGrid, grid, grid.intensity());
    }
    List<Normalization.Linear> intensity = settings.normalization().fitted(onModelGrid.tensor());
    Volume v = onModelGrid.withTensor(Normalization.apply(onModelGrid.tensor(), intensity));
    return new LoadedCase(v.batch(), v, grid, intensity);
  }

  /** Stage 2: the targets for this input: the default for classifiers, mask files read. */
  public List<Target> resolveTargets(LoadedCase loaded) {
    return resolveTargets(loaded, settingsTargets);
  }

  private List<Target> resolveTargets(LoadedCase loaded, List<Target> parsedTargets) {
    long[] os = windowed != null ? windowed.outputShape(loaded.batch().shape())
        : explainer.outputShape(Map.of(inputName, loaded.batch().shape()));
    if (parsedTargets.isEmpty()) {
      if (os.length > 2) {
        throw new OptionValueException(Setting.TARGET, "this model segments (output " + Shapes.format(os)
            + ", classes 0.." + (os[1] - 1) + "): choose what to explain with " + Setting.TARGET.label()
            + " CLASS, e.g. " + Setting.TARGET.label() + " 1 (forms: " + Target.FORMS + ")");
      }
      return List.of(Target.parse("argmax"));
    }
    long[] outSpatial = Arrays.copyOfRange(os, 2, os.length);
    GridMapping grid = loaded.grid();
    boolean moved = grid != null && !grid.isIdentity();
    if (moved && !Arrays.equals(outSpatial, grid.model().spatialShape())) {
      for (Target t : parsedTargets) {
        if (t.placedOnGrid()) {
          throw new Gradcam3dException("target '" + t.spec() + "' is given on the scan's grid, but this model's output "
              + Shapes.format(outSpatial) + " is not on its input grid " + Shapes.format(grid.model().spatialShape())
              + ", so it cannot follow " + Setting.ORIENT.label());
        }
      }
    }
    List<Target> resolved = new ArrayList<>();
    for (Target t : parsedTargets) {
      // masks, boxes and voxels are given on the scan's grid (checked there): they follow it onto the model's
      if (moved && t.placedOnGrid() && t.maskFile() == null) {
        t.check(Shapes.concat(Arrays.copyOf(os, 2), grid.scan().spatialShape()));
      }
      Target onModel = moved ? t.onModelGrid(grid::indexToModel, grid.scan().spatialShape()) : t;
      resolved.add(onModel.resolve(file -> moved
          ? grid.toModel(VolumeIO.readMask(Path.of(file), settings.layout(), grid.scan().spatialShape()))
          : VolumeIO.readMask(Path.of(file), settings.layout(), outSpatial)));
    }
    return resolved;
  }

  /** Stage 3: the maps of every layer, resized to the input grid, not yet normalised. */
  public Explanation explain(LoadedCase loaded, List<Target> targets) {
    if (explainer == null) {
      throw new IllegalStateException("these settings explain through sliding windows: use explainWindows");
    }
    return explainer.explainResized(Map.of(inputName, loaded.batch()), targets);
  }

  /**
   * Stages 3 and 4 through sliding windows (with {@link Settings#window}): each window's resized
   * map summed in place, then normalised once over the whole volume.
   */
  public WindowedExplanation explainWindows(LoadedCase loaded, List<Target> targets) {
    return explainWindows(loaded, targets, null);
  }

  /** Same, and {@code early} (null: none) sees the segmentation as soon as it is final on the scan's grid. */
  public WindowedExplanation explainWindows(LoadedCase loaded, List<Target> targets, SegmentationListener early) {
    if (windowed == null) {
      throw new IllegalStateException("these settings have no sliding windows: use explain");
    }
    if (targets.size() != 1) {
      throw new Gradcam3dException(Setting.TARGET, "sliding windows explain one volume for one target; give one "
          + Setting.TARGET.label());
    }
    // only where ScanGrid.toScan keeps the segmentation as it is: the model's grid is the scan's
    GridMapping grid = loaded.grid();
    boolean onScan = grid == null || grid.isIdentity();
    return windowed.explain(loaded.batch(), targets.get(0), SlidingWindowExplainer.WindowObserver.NONE,
        early == null || !onScan ? SlidingWindowExplainer.SegmentationListener.NONE : early::segmentationFinal);
  }

  /** The compiled explanation of a case's input shape as a standalone ONNX model ({@link Explainer#compiledGraph}). */
  public ModelProto compiledGraph(LoadedCase loaded) {
    if (explainer == null) {
      throw new Gradcam3dException(Setting.WINDOW, "the compiled graph is per window with sliding windows; not "
          + "available with " + Setting.WINDOW.label());
    }
    return explainer.compiledGraph(Map.of(inputName, loaded.batch().shape()));
  }

  /** Stage 4: min-max per sample and the aggregate over layers. */
  public Explanation normalise(Explanation resized) {
    return Normalise.apply(resized, settings.method());
  }

  /**
   * Stage 5 (optional): faithfulness curves, agreement with the true label of the explained class
   * (else the target region), complexity, and the sanity check when asked.
   */
  public Evaluation measure(CaseInput c, LoadedCase loaded, Explanation e, Evaluation.Settings how) {
    return measure(c, loaded, e, how, null);
  }

  private Evaluation measure(CaseInput c, LoadedCase loaded, Explanation e, Evaluation.Settings how,
      PreparedScoring prepared) {
    // the label is on the scan's grid, the metrics on the model's
    List<FloatTensor> labels = c.label() == null ? null
        : List.of(loaded.grid().toModel(labelMask(c, loaded, e.explainedClass(0))));
    return Evaluation.measure(model, request, Map.of(inputName, loaded.batch()), e, labels, how,
        new RuntimeOptions(settings.threads()), prepared);
  }

  /** The share of the first sample's map inside its true label. */
  public LabelOverlap labelOverlap(CaseInput c, LoadedCase loaded, Explanation e) {
    int cls = e.explainedClass(0);
    return LabelOverlap.of(c.labelName(), cls, e.cam().view0(0), labelMask(c, loaded, cls));
  }

  /** 1 where the true label equals the class, on the input grid. */
  private FloatTensor labelMask(CaseInput c, LoadedCase loaded, int cls) {
    if (loaded.volume() == null) {
      throw new Gradcam3dException(Setting.LABEL, Setting.LABEL.label() + " needs a single-sample input");
    }
    Volume like = loaded.scan();
    Volume lab = VolumeIO.read(c.label(), settings.layout(), like.spatialShape().length).requireFinite();
    if (!Arrays.equals(lab.spatialShape(), like.spatialShape()) || lab.channels() != 1) {
      throw new Gradcam3dException("the label " + c.label() + " has shape " + Shapes.format(lab.tensor().shape())
          + " but the input's spatial shape is " + Shapes.format(like.spatialShape()));
    }
    float[] d = lab.tensor().data();
    float[] m = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      m[i] = Math.round(d[i]) == cls ? 1f : 0f;
    }
    return new FloatTensor(m, like.spatialShape());
  }

  private static int spatialRank(Graph g) {
    if (g.inputs().size() != 1) {
      throw new Gradcam3dException("the command line explains models with one input; this model has "
          + g.inputs().size() + " (" + String.join(", ", g.inputNames()) + "); use the Java API");
    }
    long[] declared = Graph.declaredShape(g.inputs().get(0));
    if (declared == null || declared.length < 4 || declared.length > 5) {
      throw new Gradcam3dException("the model input has shape " + Shapes.format(declared)
          + "; gradcam3d takes [batch, channels, Y, X] or [batch, channels, Z, Y, X]");
    }
    return declared.length - 2;
  }

  @Override
  public void close() {
    if (explainer != null) {
      explainer.close();
    }
    if (windowed != null) {
      windowed.close();
    }
  }
}
