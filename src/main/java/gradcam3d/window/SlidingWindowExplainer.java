package gradcam3d.window;

import gradcam3d.Defaults;
import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.autodiff.GradientProgram;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Normalise;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Request;
import gradcam3d.cam.Target;
import gradcam3d.cam.TargetRegions;
import gradcam3d.cam.WindowedTarget;
import gradcam3d.graph.Graph;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.Lanes;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.SeedHead;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Labels;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Explains a volume larger than the model's window, exactly: the windows' logits are blended
 * (weights w_t, N = sum_t w_t) into the whole-volume prediction F, the target is taken on F over
 * the whole volume, and each window runs backward with the target restricted to it times
 * w_t / N (a {@link WindowedTarget} around the window's crop of the whole-volume region, with
 * the predicted-mask gate off: the region comes from F, not from the window's own prediction), so
 * its gradient is exactly the gradient of the one whole-volume target. Each window's
 * ReLU(cam_layer) on the window grid ({@link Explainer#explainResized}) is added in place; one
 * min-max at the end ({@link Normalise}).
 * Windows the target does not reach contribute zero and are not run backward. With two or more
 * threads both passes run on two {@link Lanes} (one session per lane and pass, the threads split),
 * and the calling thread adds the results in window order: the same floats as one lane.
 *
 * <p>Pass 2 from the layer ({@link LayerStream}, the default): pass 1's forward program also
 * outputs, per window, the tensors crossing the layer's cut ({@link gradcam3d.graph.Cut}: the
 * activation and the skip connections the downstream part reads), and pass 2 runs a program of
 * the downstream part only ({@link Explainer#fromLayer}: forward from the cut, backward to the
 * activation, the CAM and the resize to the window grid), so the encoder is not run twice (about
 * 29% of a window's forward + backward on the bench U-Net). The passes are streamed in one
 * {@link WindowSchedule}: window t is explained as soon as the last window overlapping it is
 * blended (its region crop is final then: for a predicted-class target the argmax of the blend
 * within the window; mask, box, voxel and whole-class regions are known from the start), and its
 * cut tensors are dropped then; an empty region is reported at the end, before anything is
 * written. It falls back to pass 2 from the model input, after all windows are blended, when
 * {@link GradientProgram.NoCut} (several layers, a token layer, a cut tensor that is not float
 * with a batch axis; Score-CAM and Ablation-CAM, which need the model input) or when the windows
 * held at once would take more than a quarter of the heap ({@link Pass2#forGrid});
 * {@link WindowedExplanation#pass2From} says which and why.
 *
 * <p>Memory: the input, the blend (until it is reduced to the segmentation), one accumulator per
 * layer, the held cut tensors (15 windows of 9.7 MB for the 192^3 benchmark) and about one job per
 * lane; never every window's activations. Each lane's sessions give their working memory back
 * after their last window of a pass; the streamed sessions are alive side by side, so they
 * allocate tensor by tensor rather than in one planned block
 * ({@link RuntimeOptions#memoryPattern}).
 *
 * <pre>{@code
 * try (SlidingWindowExplainer sw = new SlidingWindowExplainer(model, request,
 *     SlidingWindowExplainer.Settings.of(new long[] {96, 96, 96}), RuntimeOptions.defaults())) {
 *   WindowedExplanation w = sw.explain(x, Target.parse("1"));   // x: [1, C, *S]; a mask target resolved
 * }
 * }</pre>
 */
public final class SlidingWindowExplainer implements AutoCloseable {
  private static final String SCORES = "gc3d_window_scores";

  /**
   * The window (null: the model's fixed input size, {@code --window auto}), its overlap and blend,
   * windows per ONNX Runtime run, the padding value, and whether to keep the blended prediction.
   */
  public record Settings(long[] window, double overlap, Blend blend, int windowBatch, float padValue,
      boolean keepPrediction) {
    public Settings {
      checkOverlap(overlap);
      if (windowBatch < 1) {
        throw new Gradcam3dException(Setting.WINDOW_BATCH, Setting.WINDOW_BATCH.label()
            + " must be at least 1, not " + windowBatch);
      }
      checkPadValue(padValue);
      if (window != null && (window.length == 0 || Arrays.stream(window).anyMatch(n -> n < 1))) {
        throw new Gradcam3dException(Setting.WINDOW, Setting.WINDOW.label()
            + " must be Z,Y,X (positive sizes) or auto, not "
            + Arrays.toString(window));
      }
    }

    /** Fails unless 0 <= overlap < 1. */
    public static void checkOverlap(double overlap) {
      if (!(overlap >= 0 && overlap < 1)) {
        throw new Gradcam3dException(Setting.OVERLAP, Setting.OVERLAP.label() + " must be in [0, 1), not " + overlap);
      }
    }

    /** Fails unless the padding value is a finite number. */
    public static void checkPadValue(float padValue) {
      if (!Float.isFinite(padValue)) {
        throw new Gradcam3dException(Setting.PAD_VALUE, Setting.PAD_VALUE.label() + " must be a finite number, not "
            + padValue);
      }
    }

    public static Settings of(long[] window) {
      return new Settings(window, Defaults.WINDOW_OVERLAP, Blend.parse(Defaults.WINDOW_BLEND), Defaults.WINDOW_BATCH,
          Defaults.WINDOW_PAD_VALUE, false);
    }

    /** The window taken from a model with a fixed input size. */
    public static Settings fromModel() {
      return of(null);
    }

    public boolean auto() {
      return window == null;
    }

    public Settings withWindow(long[] w) {
      return new Settings(w, overlap, blend, windowBatch, padValue, keepPrediction);
    }

    public Settings withOverlap(double o) {
      return new Settings(window, o, blend, windowBatch, padValue, keepPrediction);
    }

    public Settings withWindowBatch(int n) {
      return new Settings(window, overlap, blend, n, padValue, keepPrediction);
    }

    /** Whether the blended prediction is kept (a resampling pipeline needs it for the segmentation). */
    public Settings withPrediction(boolean keep) {
      return new Settings(window, overlap, blend, windowBatch, padValue, keep);
    }
  }

  /** Sees each window's own explanation (item {@code item} of a batch) as it is computed. */
  @FunctionalInterface
  public interface WindowObserver {
    WindowObserver NONE = (t, start, batch, item) -> { };

    void window(int index, long[] start, Explanation batch, int item);
  }

  /**
   * Sees the segmentation [1, *S] as soon as it is final: after the last window is blended, while
   * pass 2 still runs (so that work depending on it alone, such as writing it, starts then), with
   * the class whose voxels in it are the target's region ({@link WindowedExplanation#regionClass}),
   * or -1. Called once on the explaining thread, before {@link #explain} returns; should only
   * start work. The segmentation is the one the result holds: it must not be changed.
   */
  @FunctionalInterface
  public interface SegmentationListener {
    SegmentationListener NONE = (segmentation, regionClass) -> { };

    void segmentationFinal(Labels segmentation, int regionClass);
  }

  private final ModelProto model;
  private final Request request;
  private final Settings settings;
  private final String inputName;
  /** Pass 1's forward-only programs and pass 2's explainers (from the input, from the layer), one per lane. */
  private final Lanes<GradientEngine> forward;
  private final Lanes<Explainer> explainers;
  private final Lanes<Explainer> fromLayer;
  /** An occluding method's second phase (then there are no explainer lanes), or null. */
  private final WindowedOcclusion occlusion;
  /** How pass 2 runs for the channel count last checked. */
  private volatile Pass2 pass2;
  private String checkedFor = "";

  /**
   * Where pass 2 starts: at the layer, fed {@code feeds} (the tensors crossing the layer's cut,
   * which pass 1 then outputs), or (feeds null) at the model input, for {@code reason}.
   */
  record Pass2(Map<String, long[]> feeds, String reason) {
    boolean fromLayer() {
      return feeds != null;
    }

    /** Bytes of one window's fed tensors. */
    long bytesPerWindow() {
      return feeds.values().stream().mapToLong(s -> Shapes.numel(s) * Float.BYTES).sum();
    }

    /**
     * This plan for a grid: from the layer only while the windows the stream holds at once fit in a
     * quarter of the heap (a 512 x 512 x 256 scan with 96^3 windows holds 224 of its 500 windows).
     */
    Pass2 forGrid(WindowGrid grid, int windowBatch) {
      if (!fromLayer()) {
        return this;
      }
      int held = WindowSchedule.of(grid, windowBatch).mostHeld(windowBatch, grid.size());
      long bytes = held * bytesPerWindow();
      long budget = Runtime.getRuntime().maxMemory() / 4;
      return bytes <= budget ? this : new Pass2(null, String.format(java.util.Locale.ROOT, "the %d windows held at "
          + "once would take %d MB, more than a quarter of the Java heap (%d MB)", held, bytes >> 20, budget >> 20));
    }

    /** "layer", or "input (reason)". */
    String describe() {
      return fromLayer() ? "layer" : "input (" + reason + ")";
    }
  }

  public SlidingWindowExplainer(ModelProto model, Request request, Settings settings,
      RuntimeOptions options) {
    this(model, request, settings, options, true);
  }

  /** With {@code fromLayer} false, pass 2 always runs from the model input (to compare the two in tests). */
  SlidingWindowExplainer(ModelProto model, Request request, Settings settings, RuntimeOptions options,
      boolean fromLayer) {
    this.model = model;
    this.request = request;
    this.settings = settings.auto() ? settings.withWindow(WindowFit.auto(model)) : settings;
    this.inputName = Graph.fromModel(model).inputNames().get(0);
    String notPerWindow = request.method().notPerWindow();
    if (notPerWindow != null) {
      throw new gradcam3d.OptionValueException(request.method().name() + " does not run per window: "
          + notPerWindow + "; sliding windows take the layer methods (gradcam, hirescam, layercam, ...), not "
          + Setting.WINDOW.label());
    }
    // a forward-only program needs a layer: the model input stands in for methods without one
    List<LayerSpec> pass1Layers = request.layers().isEmpty() ? List.of(LayerSpec.named(inputName)) : request.layers();
    GradientEngine.Config cfg = request.programAt(pass1Layers).forwardOnly().withoutTarget().tensors(false, false)
        .extension(p -> {
          String s = SeedHead.scored(p.builder(), p.modelOutput(), request.score());
          p.builder().opNamed("Identity", List.of(s), List.of(SCORES));
          p.addOutput(SCORES);
          // pass 2 from the layer: the tensors crossing the cut, per window (the input is fed anyway)
          Pass2 plan = pass2;
          if (plan != null && plan.fromLayer()) {
            plan.feeds().keySet().stream().filter(n -> !p.isInput(n)).forEach(p::addOutput);
          }
        }, pass1Key(request, fromLayer)).build();
    Request perWindow = request.toBuilder().progress(Progress.NONE).windowed().build();
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      // pass 1's sessions and pass 2's from the layer are alive side by side in the stream: each
      // keeps only the working memory it uses at once (RuntimeOptions.memoryPattern)
      RuntimeOptions streamed = options.withMemoryPattern(false);
      this.forward = opened(opened, Lanes.open(streamed, o -> new GradientEngine(model, cfg, o)));
      // occlusion covers the whole volume: its copies are scored through the windows, not explained per window
      CamMethod.Occluding occluding = request.method().occlusion();
      this.occlusion = occluding != null
          ? opened(opened, new WindowedOcclusion(model, occluding, request, this.settings, options)) : null;
      this.explainers = occlusion != null ? null
          : opened(opened, Lanes.open(options, o -> new Explainer(model, perWindow, o)));
      Lanes<Explainer> layerLanes = null;
      String reason = occlusion != null ? WindowedOcclusion.NO_PASS2 : "turned off";
      if (fromLayer && occlusion == null) {
        try {
          layerLanes = opened(opened, Lanes.open(streamed, o -> Explainer.fromLayer(model, perWindow, o)));
        } catch (GradientProgram.NoCut e) {
          reason = e.getMessage();
        }
      }
      this.fromLayer = layerLanes;
      this.pass2 = layerLanes == null ? new Pass2(null, reason) : null;
    } catch (RuntimeException e) {
      for (AutoCloseable c : opened) {
        try {
          c.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private static <T extends AutoCloseable> T opened(List<AutoCloseable> opened, T resource) {
    opened.add(resource);
    return resource;
  }

  public Settings settings() {
    return settings;
  }

  /** The whole-volume prediction's shape [1, K, *S] for an input [1, C, *S]. */
  public long[] outputShape(long[] inputShape) {
    long[] spatial = Arrays.copyOfRange(inputShape, 2, inputShape.length);
    long[] window = WindowFit.clamped(model, settings.window(), spatial, inputShape[1]);
    return Shapes.concat(new long[] {1, classes(inputShape[1], window)}, spatial);
  }

  public WindowedExplanation explain(FloatTensor input, Target target) {
    return explain(input, target, WindowObserver.NONE);
  }

  /** Explains one volume {@code input} [1, C, *S] for a target in whole-volume coordinates. */
  public WindowedExplanation explain(FloatTensor input, Target target, WindowObserver observer) {
    return explain(input, target, observer, SegmentationListener.NONE);
  }

  /** Same, and {@code listener} sees the segmentation as soon as it is final. */
  public WindowedExplanation explain(FloatTensor input, Target target, WindowObserver observer,
      SegmentationListener listener) {
    long[] shape = input.shape();
    long[] requested = settings.window();
    if (shape.length != requested.length + 2) {
      throw new Gradcam3dException("the input " + Shapes.format(shape) + " has " + (shape.length - 2)
          + " spatial axes but " + Setting.WINDOW.label() + " " + WindowFit.join(requested) + " has "
          + requested.length);
    }
    if (shape[0] != 1) {
      throw new Gradcam3dException("sliding windows explain one volume at a time; this input has a batch of "
          + shape[0]);
    }
    Explainer.requireFinite(inputName, input);
    long channels = shape[1];
    long[] spatial = Arrays.copyOfRange(shape, 2, shape.length);
    // a window larger than the scan (rounded up to the network's stride) only pads: a dynamic
    // model takes the smaller window, with the same result; nnU-Net's placement keeps the patch
    // size (its Gaussian and its padding on both sides are the patch's)
    long[] window = settings.blend().nnunetPlacement() ? requested
        : WindowFit.clamped(model, requested, spatial, channels);
    WindowGrid grid = WindowGrid.of(spatial, window, settings.overlap(), settings.blend().nnunetPlacement());
    // more windows per run than there are windows would only pad the batch
    int windowBatch = (int) Math.min(settings.windowBatch(), grid.size());
    long classCount = classes(channels, window);
    WindowFit.checkMemory(model, window, channels, windowBatch, spatial, classCount, request.layers().size(),
        WindowFit.memoryBudget());
    BlendWeights weights = new BlendWeights(grid, settings.blend());
    long[] wholeOutput = Shapes.concat(new long[] {1, classCount}, spatial);
    target.check(wholeOutput);
    // fails for classifier targets before any window runs
    target.region(Labels.zeros(1, 0), new long[] {0});
    if (occlusion != null) {
      forward.all().forEach(f -> f.compiled(batchShape(Math.min(settings.windowBatch(), grid.size()), channels, window)));
      return occlusion.explain(input, target, grid, weights, forwards());
    }
    Progress progress = request.progress();
    // an input-space method's one map: the reduction of its attribution summed over the windows
    UnaryOperator<FloatTensor> attributionMap = request.method().attributionMap();
    boolean inputSpace = attributionMap != null;
    int layers = inputSpace ? 1 : request.layers().size();
    int voxels = (int) Shapes.numel(spatial);
    Pass2 plan = pass2.forGrid(grid, windowBatch);

    long t0 = System.nanoTime();
    Map<String, long[]> firstBatch = batchShape(windowBatch, channels, window);
    forward.all().forEach(f -> f.compiled(firstBatch));
    LayerStream.Volume volume = new LayerStream.Volume(input, inputName, grid, weights, windowBatch,
        settings.padValue(), (int) wholeOutput[1], settings.keepPrediction());
    long[] camShape = Shapes.concat(new long[] {1}, spatial);
    // the segmentation as the result holds it, [1, *S]
    java.util.function.BiConsumer<Labels, Boolean> segmentationFinal = (seg, regionFromIt) ->
        listener.segmentationFinal(seg.reshape(camShape), regionFromIt ? target.classIndex() : -1);
    LayerStream.Passes passes;
    Stitch stitch;
    if (plan.fromLayer()) {
      // (compiled for one window with pass 1's: prepareLanes)
      fromLayer.all().forEach(e -> e.prepare(batchShape(1, channels, window)));
      stitch = new Stitch(grid, layers, voxels, 0, observer, Progress.NONE);
      List<LayerStream.Lane> lanes = new ArrayList<>();
      for (int i = 0; i < forward.size(); i++) {
        lanes.add(new LayerStream.Lane(forward.all().get(i), fromLayer.all().get(i)));
      }
      passes = LayerStream.run(volume, lanes, this::forwardRun, SCORES, List.copyOf(plan.feeds().keySet()), target,
          stitch, progress, seg -> segmentationFinal.accept(seg, target.regionFromPrediction()));
    } else {
      stitch = new Stitch(grid, layers, voxels, inputSpace ? (int) channels : 0, observer, progress);
      // pass 2 from the input holds the region as a volume: the result's region class is -1
      passes = twoPasses(volume, target, stitch, progress, seg -> segmentationFinal.accept(seg, false));
    }
    long t1 = passes.predictedAt() == 0 ? System.nanoTime() : passes.predictedAt();
    float[] region = passes.region();
    float[] predicted = passes.predicted();
    Labels segmentation = passes.segmentation();
    int reached = passes.reached();
    // null: a predicted class's region, its voxels those the segmentation gives the class
    long regionVoxels = region == null ? Math.round(predicted[target.classIndex()]) : 0;
    for (int v = 0; region != null && v < region.length; v++) {
      regionVoxels += region[v] > 0 ? 1 : 0;
    }
    if (regionVoxels == 0) {
      throw TargetRegions.emptyRegion(target, "", predicted, 0, predicted.length);
    }
    // the whole-volume target's value, read from the blend (BlendedSum#scoring)
    double targetValue = passes.blend().targetValue();
    FloatTensor keptPrediction = settings.keepPrediction() ? new FloatTensor(passes.blend().finish(), wholeOutput)
        : null;
    // the blend (classes x the scan's voxels) is done with: collectable before the maps are
    // normalised and written
    passes = null;
    long t2 = System.nanoTime();

    // one min-max over the whole volume, in place: a graph would copy these volume-sized arrays
    // several times (2.5 GB of extra native memory for 512x512x256)
    List<Explanation.LayerMap> maps = new ArrayList<>();
    List<FloatTensor> finals = new ArrayList<>();
    Explanation.Attribution attribution = null;
    float[] inputMap = null;
    if (inputSpace) {
      // LRP's input relevance is additive over the windows: the map comes from the summed relevance
      FloatTensor summed = new FloatTensor(stitch.attribution, Shapes.concat(new long[] {1, channels}, spatial));
      attribution = new Explanation.Attribution(summed, null);
      inputMap = attributionMap.apply(summed).data();
      for (int v = 0; v < inputMap.length; v++) {
        inputMap[v] = Math.max(0f, inputMap[v]);
      }
    }
    for (int l = 0; l < layers; l++) {
      FloatTensor cam = Normalise.perSampleInPlace(new FloatTensor(inputMap != null ? inputMap : stitch.sum(l), camShape));
      finals.add(cam);
      Explanation.LayerMap f = stitch.firstLayers.get(l);
      maps.add(new Explanation.LayerMap(f.layer(), f.shape(), null, cam, null, null, null,
          stitch.illConditioned[l]));
    }
    FloatTensor aggregate = request.method().combineLayers(finals);
    long t3 = System.nanoTime();
    int classes = (int) wholeOutput[1];
    Explanation whole = new Explanation(maps, aggregate,
        new FloatTensor(new float[] {(float) targetValue}, 1), new long[] {regionVoxels},
        new FloatTensor(predicted, 1, classes), region == null ? null : new FloatTensor(region, camShape), List.of(target),
        wholeOutput, stitch.stats, stitch.runMs, (t3 - t2) / 1e6 + stitch.stitchNs / 1e6, attribution,
        null, stitch.relevance());
    // predict: until every window is blended (windows explained meanwhile included); explain: the
    // rest of the passes less the summing done in it (summing before t1 is inside predict)
    WindowedExplanation.Timings timings = new WindowedExplanation.Timings((t1 - t0) / 1e6,
        (t2 - t1 - stitch.nsSince(t1)) / 1e6, stitch.stitchNs / 1e6, (t3 - t2) / 1e6);
    return new WindowedExplanation(whole, segmentation.reshape(camShape), keptPrediction, grid,
        reached, grid.size() - reached, timings, plan.describe(), Arrays.equals(window, requested) ? null : requested);
  }

  /**
   * What pass 1's extension adds, for the program cache (each lane and each run compiled it again,
   * about 0.25 s each for the 192^3 benchmark's model): the scores, and the cut's tensors when
   * pass 2 may start at the layer. Whether it does is decided by the model, layers and window
   * shape (in the cache key already) and by the method, named here.
   */
  private static String pass1Key(Request request, boolean fromLayer) {
    return "window-pass1:scores=" + request.score() + ";cut=" + (fromLayer && request.method().occlusion() == null)
        + ";method=" + gradcam3d.cam.LayerPrograms.methodKey(request.method());
  }

  /** Pass 1's forward program on a batch of windows (scores, and the cut's tensors when pass 2 starts at the layer). */
  private GradientEngine.Result forwardRun(GradientEngine lane, FloatTensor x, boolean last) {
    // the program computes no target: no seed
    return lane.run(Map.of(inputName, x), null, last);
  }

  /**
   * Pass 2 from the model input: pass 1 blends every window, then each window the target reaches
   * runs forward + backward + CAM from its input crop, in batches of the window batch.
   */
  private LayerStream.Passes twoPasses(LayerStream.Volume v, Target target, Stitch stitch, Progress progress,
      java.util.function.Consumer<Labels> segmentationFinal) {
    WindowGrid grid = v.grid();
    BlendedSum blend = WindowInference.blend(v.input(), grid, v.weights(), v.windowBatch(), v.padValue(), forwards(),
        progress);
    float[] predicted = new float[v.classes()];
    blend.scoring(target.classIndex(), target.regionFromPrediction() ? null : target.region(null, grid.volume()));
    Labels segmentation = blend.segmentation(predicted);
    segmentationFinal.accept(segmentation);
    float[] region = target.region(segmentation, grid.volume());
    // a predicted-class target follows the blended prediction in every window
    Target fixed = target.onPrediction(new FloatTensor(region, grid.volume()));
    long t1 = System.nanoTime();
    List<Integer> reached = new ArrayList<>();
    for (int t = 0; t < grid.size(); t++) {
      if (WindowTargets.touches(WindowTargets.box(grid, t), region)) {
        reached.add(t);
      }
    }
    if (reached.isEmpty()) {
      return new LayerStream.Passes(blend, segmentation, predicted, region, 0, t1);
    }
    int batchSize = v.windowBatch();
    int batches = (reached.size() + batchSize - 1) / batchSize;
    long channels = v.input().dim(1);
    // compiled one after another, not at once in their lanes (see above)
    Map<String, long[]> shapes = batchShape(Math.min(batchSize, reached.size()), channels, grid.window());
    explainers.all().forEach(e -> e.prepare(shapes));
    progress.start("explaining windows", reached.size());
    // each lane crops, seeds and explains its batches; the maps are summed here in window order
    explainers.ordered(batches, (explainer, b) -> {
      List<Integer> batch = reached.subList(b * batchSize, Math.min(reached.size(), (b + 1) * batchSize));
      FloatTensor x = WindowInference.crops(v.input(), grid, batch, v.padValue());
      List<Target> targets = new ArrayList<>();
      for (int t : batch) {
        targets.add(WindowTargets.inWindow(fixed, grid, v.weights(), t).orElseThrow());
      }
      // a lane's last window gives its session's working memory back: pass 1's sessions idle while
      // pass 2 runs, and pass 2's between volumes (two lanes hold twice the memory of one)
      return explainer.explainResized(Map.of(inputName, x), targets,
          Lanes.lastOnLane(explainers.size(), batches, b));
    }, (b, e) -> stitch.add(reached.subList(b * batchSize, Math.min(reached.size(), (b + 1) * batchSize)), e));
    progress.finish();
    return new LayerStream.Passes(blend, segmentation, predicted, region, reached.size(), t1);
  }

  /** Pass 1's forward on each lane: the scores of a batch of windows. */
  private List<WindowInference.Forward> forwards() {
    List<WindowInference.Forward> scorers = new ArrayList<>();
    for (GradientEngine lane : forward.all()) {
      scorers.add((x, last) -> forwardRun(lane, x, last).floats(SCORES));
    }
    return scorers;
  }

  /** Input shapes of a batch of {@code n} windows. */
  private Map<String, long[]> batchShape(int n, long channels, long[] window) {
    return Map.of(inputName, Shapes.concat(new long[] {n, channels}, window));
  }

  /**
   * Classes of the model output for a window (the model's output must keep the window's grid).
   * First decides where pass 2 starts for this channel count, since pass 1's program depends on it.
   */
  private long classes(long channels, long[] window) {
    String key = channels + " " + Arrays.toString(window);
    long[] in = Shapes.concat(new long[] {1, channels}, window);
    if (!checkedFor.equals(key)) {
      WindowFit.check(model, window, channels);
      prepareLanes(Map.of(inputName, in), channels, window);
      checkedFor = key;
    }
    long[] os = forward.first().outputShape(Map.of(inputName, in));
    if (os.length != in.length || !Arrays.equals(Arrays.copyOfRange(os, 2, os.length), window)) {
      throw new Gradcam3dException("sliding windows need a segmentation model whose output has its input's grid; "
          + "for a window " + WindowFit.join(window) + " this model gives " + Shapes.format(os));
    }
    return os[1];
  }

  /**
   * Compiles, or reads from the program cache, every lane's programs for one window ({@code one}),
   * each lane on its own thread: pass 2's from the layer, which decide where pass 2 starts
   * ({@link #planPass2}, naming why when the model cannot be cut there), then pass 1's forward,
   * which outputs the cut's tensors. One after another, the four sessions of the 192^3 benchmark
   * were most of a whole run's start-up (0.4-0.6 s); side by side on two cores about half of that.
   */
  private void prepareLanes(Map<String, long[]> one, long channels, long[] window) {
    if (fromLayer != null) {
      Lanes.shared(fromLayer.all(), fromLayer.size(), (unused, lane) -> {
        try {
          fromLayer.all().get(lane).prepare(one);
        } catch (GradientProgram.NoCut e) {
          // planPass2 keeps the reason
        }
      });
      pass2 = planPass2(channels, window);
    }
    // lane 0 answers the output shape; the others' pass 1 runs batches of windowBatch windows
    Lanes.shared(forward.all(), forward.size(), (unused, lane) -> {
      if (lane == 0 || settings.windowBatch() == 1) {
        forward.all().get(lane).compiled(one);
      }
    });
  }

  /**
   * Pass 2 from the layer when the model can be cut there for one window of these channels
   * (compiling lane 0's program from the layer), else from the input ({@link GradientProgram.NoCut}).
   */
  private Pass2 planPass2(long channels, long[] window) {
    try {
      return new Pass2(fromLayer.first().feedShapes(batchShape(1, channels, window)), null);
    } catch (GradientProgram.NoCut e) {
      return new Pass2(null, e.getMessage());
    }
  }

  @Override
  public void close() {
    try {
      forward.close();
    } finally {
      try {
        if (explainers != null) {
          explainers.close();
        }
      } finally {
        if (fromLayer != null) {
          fromLayer.close();
        }
        if (occlusion != null) {
          occlusion.close();
        }
      }
    }
  }
}
