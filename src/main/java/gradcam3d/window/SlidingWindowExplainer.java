package gradcam3d.window;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.BoxTarget;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.MaskTarget;
import gradcam3d.cam.Normalise;
import gradcam3d.cam.PredictedClassTarget;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Target;
import gradcam3d.cam.VoxelTarget;
import gradcam3d.cam.WholeClassTarget;
import gradcam3d.cam.WindowedTarget;
import gradcam3d.graph.Graph;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.Lanes;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.SeedHead;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

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
 * and the calling thread adds the results in window order: the same floats as one lane. Memory:
 * the input, the blended prediction (until it is reduced to the segmentation), one accumulator per
 * layer and about one batch of windows per lane; never every window's activations. Each lane's
 * session gives its working memory back after its last window of a pass.
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
        throw new Gradcam3dException("--window-batch must be at least 1, not " + windowBatch);
      }
      checkPadValue(padValue);
      if (window != null && (window.length == 0 || Arrays.stream(window).anyMatch(n -> n < 1))) {
        throw new Gradcam3dException("--window must be Z,Y,X (positive sizes) or auto, not "
            + Arrays.toString(window));
      }
    }

    /** Fails unless 0 <= overlap < 1. */
    public static void checkOverlap(double overlap) {
      if (!(overlap >= 0 && overlap < 1)) {
        throw new Gradcam3dException("--overlap must be in [0, 1), not " + overlap);
      }
    }

    /** Fails unless the padding value is a finite number. */
    public static void checkPadValue(float padValue) {
      if (!Float.isFinite(padValue)) {
        throw new Gradcam3dException("--pad-value must be a finite number, not " + padValue);
      }
    }

    public static Settings of(long[] window) {
      return new Settings(window, 0.5, Blend.GAUSSIAN, 1, 0f, false);
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

    public Settings withBlend(Blend b) {
      return new Settings(window, overlap, b, windowBatch, padValue, keepPrediction);
    }

    public Settings withWindowBatch(int n) {
      return new Settings(window, overlap, blend, n, padValue, keepPrediction);
    }

    public Settings withPadValue(float v) {
      return new Settings(window, overlap, blend, windowBatch, v, keepPrediction);
    }

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

  private final ModelProto model;
  private final Explainer.Request request;
  private final Settings settings;
  private final String inputName;
  /** Pass 1's forward-only programs and pass 2's explainers, one of each per lane. */
  private final Lanes<GradientEngine> forward;
  private final Lanes<Explainer> explainers;
  private long checkedChannels = -1;

  public SlidingWindowExplainer(ModelProto model, Explainer.Request request, Settings settings,
      RuntimeOptions options) {
    this.model = model;
    this.request = request;
    this.settings = settings.auto() ? settings.withWindow(WindowFit.auto(model)) : settings;
    this.inputName = Graph.fromModel(model).inputNames().get(0);
    if (request.method() instanceof gradcam3d.cam.CamMethod.InputSpace) {
      throw new Gradcam3dException(request.method().name() + " attributes to the input, not a layer; sliding "
          + "windows take the layer methods (gradcam, hirescam, layercam, ...), not --window");
    }
    GradientEngine.Config cfg = GradientEngine.Config.of(request.layers()).withModelOutput(request.modelOutput())
        .withScore(request.score()).withoutGradients().withTensors(false, false)
        .withExtension(p -> {
          String s = SeedHead.scored(p.builder(), p.modelOutput(), request.score());
          p.builder().opNamed("Identity", List.of(s), List.of(SCORES));
          p.addOutput(SCORES);
        });
    Lanes<GradientEngine> f = Lanes.open(options, o -> new GradientEngine(model, cfg, o));
    Explainer.Request perWindow = new Explainer.Request(request.layers(), request.method(), request.targets(),
        request.modelOutput(), request.score(), request.keepTensors(), request.batchSize(), Progress.NONE);
    try {
      this.explainers = Lanes.open(options, o -> new Explainer(model, perWindow, o));
    } catch (RuntimeException e) {
      f.close();
      throw e;
    }
    this.forward = f;
  }

  public Settings settings() {
    return settings;
  }

  /** The whole-volume prediction's shape [1, K, *S] for an input [1, C, *S]. */
  public long[] outputShape(long[] inputShape) {
    return Shapes.concat(new long[] {1, classes(inputShape[1])}, Arrays.copyOfRange(inputShape, 2, inputShape.length));
  }

  public WindowedExplanation explain(FloatTensor input, Target target) {
    return explain(input, target, WindowObserver.NONE);
  }

  /** Explains one volume {@code input} [1, C, *S] for a target in whole-volume coordinates. */
  public WindowedExplanation explain(FloatTensor input, Target target, WindowObserver observer) {
    long[] shape = input.shape();
    long[] window = settings.window();
    if (shape.length != window.length + 2) {
      throw new Gradcam3dException("the input " + Shapes.format(shape) + " has " + (shape.length - 2)
          + " spatial axes but --window " + WindowFit.join(window) + " has " + window.length);
    }
    if (shape[0] != 1) {
      throw new Gradcam3dException("sliding windows explain one volume at a time; this input has a batch of "
          + shape[0]);
    }
    Explainer.requireFinite(inputName, input);
    long channels = shape[1];
    long[] spatial = Arrays.copyOfRange(shape, 2, shape.length);
    WindowGrid grid = WindowGrid.of(spatial, window, settings.overlap());
    BlendWeights weights = new BlendWeights(grid, settings.blend());
    long[] wholeOutput = Shapes.concat(new long[] {1, classes(channels)}, spatial);
    target.check(wholeOutput);
    int cls = target.classIndex();
    Progress progress = request.progress();

    long t0 = System.nanoTime();
    Map<String, long[]> firstBatch = batchShape(Math.min(settings.windowBatch(), grid.size()), channels);
    forward.all().forEach(f -> f.compiled(firstBatch));
    List<WindowInference.Forward> scorers = new ArrayList<>();
    for (GradientEngine lane : forward.all()) {
      scorers.add((x, last) -> {
        long[] os = lane.outputShape(Map.of(inputName, x.shape()));
        GradientEngine.Seed none = new GradientEngine.Seed(FloatTensor.zeros(os), FloatTensor.zeros(os[0], os[1]));
        return lane.run(Map.of(inputName, x), none, last).floats(SCORES);
      });
    }
    float[] prediction = WindowInference.predict(input, grid, weights, settings.windowBatch(), settings.padValue(),
        scorers, progress);
    int classes = (int) wholeOutput[1];
    int voxels = (int) Shapes.numel(spatial);
    float[] segmentation = new float[voxels];
    float[] predicted = new float[classes];
    argmax(prediction, classes, segmentation, predicted);
    FloatTensor keptPrediction = settings.keepPrediction() ? new FloatTensor(prediction, wholeOutput) : null;
    prediction = null; // only the segmentation is needed from here on
    float[] region = region(target, segmentation, spatial);
    long regionVoxels = 0;
    for (float r : region) {
      regionVoxels += r > 0 ? 1 : 0;
    }
    if (regionVoxels == 0) {
      throw emptyRegion(target, predicted);
    }
    long t1 = System.nanoTime();

    List<Integer> reached = new ArrayList<>();
    for (int t = 0; t < grid.size(); t++) {
      if (touches(box(grid, t), region)) {
        reached.add(t);
      }
    }
    int layers = request.layers().size();
    Stitch stitch = new Stitch(grid, layers, voxels, observer, progress);
    String maskName = target.maskFile() != null ? target.maskFile() : "(whole-volume region)";
    int batchSize = settings.windowBatch();
    int batches = (reached.size() + batchSize - 1) / batchSize;
    if (!reached.isEmpty()) {
      // the lanes' programs are compiled one after another, not at once in their lanes: two
      // compilations side by side added about 50 MB to the peak memory of the 192^3 benchmark
      Map<String, long[]> shapes = batchShape(Math.min(batchSize, reached.size()), channels);
      explainers.all().forEach(e -> e.prepare(shapes));
    }
    progress.start("explaining windows", reached.size());
    // each lane crops, seeds and explains its batches; the maps are summed here in window order
    explainers.ordered(batches, (explainer, b) -> {
      List<Integer> batch = reached.subList(b * batchSize, Math.min(reached.size(), (b + 1) * batchSize));
      FloatTensor x = WindowInference.crops(input, grid, batch, settings.padValue());
      List<Target> targets = new ArrayList<>();
      for (int t : batch) {
        targets.add(new WindowedTarget(new MaskTarget(cls, maskName, crop(grid, t, region)), share(grid, weights, t)));
      }
      // a lane's last window gives its session's working memory back: pass 1's sessions idle while
      // pass 2 runs, and pass 2's between volumes (two lanes hold twice the memory of one)
      return explainer.explainResized(Map.of(inputName, x), targets,
          Lanes.lastOnLane(explainers.size(), batches, b));
    }, (b, e) -> stitch.add(reached.subList(b * batchSize, Math.min(reached.size(), (b + 1) * batchSize)), e));
    progress.finish();
    long t2 = System.nanoTime();

    // one min-max over the whole volume, in place: a graph would copy these volume-sized arrays
    // several times (2.5 GB of extra native memory for 512x512x256)
    long[] camShape = Shapes.concat(new long[] {1}, spatial);
    List<Explanation.LayerMap> maps = new ArrayList<>();
    List<FloatTensor> finals = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      FloatTensor cam = Normalise.perSampleInPlace(new FloatTensor(stitch.sums[l], camShape));
      finals.add(cam);
      Explanation.LayerMap f = stitch.firstLayers.get(l);
      maps.add(new Explanation.LayerMap(f.layer(), f.shape(), null, cam, null, null, null,
          stitch.illConditioned[l]));
    }
    FloatTensor aggregate = Normalise.aggregate(finals);
    long t3 = System.nanoTime();
    Explanation whole = new Explanation(maps, aggregate,
        new FloatTensor(new float[] {(float) stitch.targetValue}, 1), new long[] {regionVoxels},
        new FloatTensor(predicted, 1, classes), new FloatTensor(region, camShape), List.of(target), wholeOutput,
        stitch.stats, stitch.runMs, (t3 - t2) / 1e6 + stitch.stitchNs / 1e6, null);
    WindowedExplanation.Timings timings = new WindowedExplanation.Timings((t1 - t0) / 1e6,
        (t2 - t1 - stitch.stitchNs) / 1e6, stitch.stitchNs / 1e6, (t3 - t2) / 1e6);
    return new WindowedExplanation(whole, new FloatTensor(segmentation, camShape), keptPrediction, grid,
        reached.size(), grid.size() - reached.size(), timings);
  }

  /** Input shapes of a batch of {@code n} windows. */
  private Map<String, long[]> batchShape(int n, long channels) {
    return Map.of(inputName, Shapes.concat(new long[] {n, channels}, settings.window()));
  }

  /** Classes of the model output for a window (the model's output must keep the window's grid). */
  private long classes(long channels) {
    if (checkedChannels != channels) {
      WindowFit.check(model, settings.window(), channels);
      checkedChannels = channels;
    }
    long[] in = Shapes.concat(new long[] {1, channels}, settings.window());
    long[] os = forward.first().outputShape(Map.of(inputName, in));
    if (os.length != in.length || !Arrays.equals(Arrays.copyOfRange(os, 2, os.length), settings.window())) {
      throw new Gradcam3dException("sliding windows need a segmentation model whose output has its input's grid; "
          + "for a window " + WindowFit.join(settings.window()) + " this model gives " + Shapes.format(os));
    }
    return os[1];
  }

  /** Argmax over classes (first maximum, as ONNX ArgMax) and voxels per class. */
  private static void argmax(float[] f, int classes, float[] segmentation, float[] counts) {
    int voxels = segmentation.length;
    for (int v = 0; v < voxels; v++) {
      int best = 0;
      float max = f[v];
      for (int c = 1; c < classes; c++) {
        if (f[c * voxels + v] > max) {
          max = f[c * voxels + v];
          best = c;
        }
      }
      segmentation[v] = best;
      counts[best]++;
    }
  }

  /** The target's region over the whole volume, 1 inside. */
  private static float[] region(Target target, float[] segmentation, long[] spatial) {
    int voxels = segmentation.length;
    float[] region = new float[voxels];
    if (target instanceof PredictedClassTarget) {
      for (int v = 0; v < voxels; v++) {
        region[v] = segmentation[v] == target.classIndex() ? 1f : 0f;
      }
    } else if (target instanceof WholeClassTarget) {
      Arrays.fill(region, 1f);
    } else if (target instanceof MaskTarget m) {
      float[] d = m.mask().data();
      for (int v = 0; v < voxels; v++) {
        region[v] = d[v] > 0 ? 1f : 0f;
      }
    } else if (target instanceof BoxTarget b) {
      BoxTarget.fill(region, 0, 0, b.start(), b.end(), Shapes.concat(new long[] {1, 1}, spatial));
    } else if (target instanceof VoxelTarget p) {
      long[] end = p.voxel().clone();
      for (int a = 0; a < end.length; a++) {
        end[a]++;
      }
      BoxTarget.fill(region, 0, 0, p.voxel(), end, Shapes.concat(new long[] {1, 1}, spatial));
    } else {
      throw new Gradcam3dException("target '" + target.spec() + "' is for classifiers; sliding windows explain "
          + "segmentations: choose a class, e.g. --target 1");
    }
    return region;
  }

  private static Gradcam3dException emptyRegion(Target t, float[] predicted) {
    if (t instanceof PredictedClassTarget) {
      StringBuilder present = new StringBuilder();
      for (int k = 0; k < predicted.length; k++) {
        if (predicted[k] > 0) {
          present.append(present.length() == 0 ? "" : ", ").append(k).append(" (")
              .append(Math.round(predicted[k])).append(" voxels)");
        }
      }
      return new Gradcam3dException("class " + t.classIndex() + " is absent: the blended prediction has no voxel "
          + "of it (predicted classes: " + present + "). Try --target " + t.classIndex() + ":all, a mask or box "
          + "target, or a predicted class.");
    }
    return new Gradcam3dException("the target region of '" + t.spec() + "' is empty; nothing to explain");
  }

  private static WindowBox box(WindowGrid grid, int t) {
    return WindowInference.box(grid, t);
  }

  private static boolean touches(WindowBox box, float[] region) {
    boolean[] hit = {false};
    box.forEachRun((wo, vo, len, row) -> {
      for (int j = 0; j < len && !hit[0]; j++) {
        hit[0] = region[vo + j] > 0;
      }
    });
    return hit[0];
  }

  /** The whole-volume region's crop to window t (zero in the padding). */
  private static FloatTensor crop(WindowGrid grid, int t, float[] region) {
    float[] out = new float[(int) Shapes.numel(grid.window())];
    box(grid, t).forEachRun((wo, vo, len, row) -> System.arraycopy(region, vo, out, wo, len));
    return new FloatTensor(out, grid.window());
  }

  /** w_t / N over window t, the window's share of the blended prediction (zero in the padding). */
  private static FloatTensor share(WindowGrid grid, BlendWeights weights, int t) {
    long[] window = grid.window();
    int r = window.length;
    long[] start = grid.start(t);
    float[] out = new float[(int) Shapes.numel(window)];
    box(grid, t).forEachRun((wo, vo, len, row) -> {
      double lead = 1;
      for (int a = 0; a < r - 1; a++) {
        lead *= weights.share(a, start[a], row[a]);
      }
      for (int j = 0; j < len; j++) {
        out[wo + j] = (float) (lead * weights.share(r - 1, start[r - 1], j));
      }
    });
    return new FloatTensor(out, window);
  }

  /**
   * Pass 2's running totals, fed the windows' explanations in window order on one thread: the
   * maps summed in place, the target value, the observer and the progress bar.
   */
  private static final class Stitch {
    final WindowGrid grid;
    final WindowObserver observer;
    final Progress progress;
    final float[][] sums;
    final Boolean[] illConditioned;
    List<Explanation.LayerMap> firstLayers;
    GradientEngine.CompileStats stats;
    double runMs;
    double stitchNs;
    double targetValue;

    Stitch(WindowGrid grid, int layers, int voxels, WindowObserver observer, Progress progress) {
      this.grid = grid;
      this.observer = observer;
      this.progress = progress;
      this.sums = new float[layers][voxels];
      this.illConditioned = new Boolean[layers];
    }

    void add(List<Integer> batch, Explanation e) {
      if (firstLayers == null) {
        firstLayers = e.layers();
        stats = e.compileStats();
      }
      runMs += e.runMs() + e.postMs();
      for (int i = 0; i < batch.size(); i++) {
        targetValue += e.targetValues().data()[i];
        observer.window(batch.get(i), grid.start(batch.get(i)), e, i);
      }
      long ts = System.nanoTime();
      for (int l = 0; l < sums.length; l++) {
        // a layer's weights count as ill-conditioned when they are in any window
        Boolean ill = e.layers().get(l).weightsIllConditioned();
        illConditioned[l] = ill == null ? illConditioned[l]
            : Boolean.valueOf(ill || Boolean.TRUE.equals(illConditioned[l]));
        addInPlace(e.layers().get(l).cam().data(), grid, batch, sums[l]);
      }
      stitchNs += System.nanoTime() - ts;
      progress.advance(batch.size());
    }
  }

  /** Adds each window's map [n, *W] into the whole-volume sum at its place. */
  private static void addInPlace(float[] maps, WindowGrid grid, List<Integer> batch, float[] sum) {
    int windowVoxels = (int) Shapes.numel(grid.window());
    for (int i = 0; i < batch.size(); i++) {
      int base = i * windowVoxels;
      box(grid, batch.get(i)).forEachRun((wo, vo, len, row) -> {
        for (int j = 0; j < len; j++) {
          sum[vo + j] += maps[base + wo + j];
        }
      });
    }
  }

  @Override
  public void close() {
    try {
      forward.close();
    } finally {
      explainers.close();
    }
  }
}
