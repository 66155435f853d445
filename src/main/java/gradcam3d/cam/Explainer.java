package gradcam3d.cam;

import gradcam3d.Gradcam3dException;
import gradcam3d.autodiff.GradientProgram;
import gradcam3d.autodiff.GradientProgram.LayerGradient;
import gradcam3d.autodiff.GradientSpec;
import gradcam3d.graph.Cut;
import gradcam3d.graph.Graph;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.Specialization;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.Lanes;
import gradcam3d.runtime.SeedHead;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Explains a model with one method at one or more layers for given targets. Gradient methods run
 * as one compiled graph (forward, backward, CAM arithmetic and the resize to the input grid); the
 * eigen methods finish on the host (an exact eigen-decomposition; only {@link #compiledGraph}
 * puts an iterative one in the graph); Score-CAM and Ablation-CAM add batched forward passes; a
 * method with its own flow ({@link CamMethod.OwnFlow}: FullGrad, Deep Feature Factorization) runs
 * the {@link MethodFlow} it opens, which reports through {@link TargetRegions} as this class does. The
 * stages are separate: {@link #explainResized} gives maps on the input grid before normalisation
 * (to blend windows of a volume, say), {@link Normalise} finishes them; {@link #explain} does both.
 *
 * <pre>{@code
 * try (Explainer ex = new Explainer(model, request, RuntimeOptions.defaults())) {
 *   Explanation e = ex.explain(Map.of("input", x));   // x: [B, C, *S]
 *   FloatTensor cam = e.cam();                          // [B, *S] in [0, 1]
 * }
 * }</pre>
 */
public final class Explainer implements AutoCloseable {

  /** What to explain and how. */
  public record Request(List<String> layers, CamMethod method, List<Target> targets, int modelOutput,
      GradientSpec.Score score, boolean keepTensors, int batchSize, Progress progress) {
    public Request {
      if (method instanceof CamMethod.InputSpace a && !layers.isEmpty() && a.atLayers() != null) {
        method = a.atLayers();  // LRP: the relevance arriving at the layers
      }
      if (method.propagatesRelevance() && score != GradientSpec.Score.LOGITS) {
        throw new gradcam3d.OptionValueException(method.name() + " starts from the target's seed at the model output; "
            + "--score probabilities does not apply to it (use --lrp-start logits to start from the logits)");
      }
      if (!method.takesLayers() && !layers.isEmpty()) {
        throw new gradcam3d.OptionValueException(method.name() + " attributes to the model input; it takes no --layer");
      }
      if (method.takesLayers() && layers.isEmpty()) {
        throw new gradcam3d.OptionValueException("give at least one --layer");
      }
      if (method.contrast() != null && score != GradientSpec.Score.LOGITS) {
        throw new gradcam3d.OptionValueException(method.name() + " contrasts the classes' logits; "
            + "--score probabilities does not apply to it");
      }
      if (batchSize < 1) {
        throw new Gradcam3dException("--batch-size must be at least 1, not " + batchSize);
      }
    }

    public static Request of(List<String> layers, String method, Target target) {
      return new Request(layers, CamMethods.byName(method), List.of(target), 0, GradientSpec.Score.LOGITS,
          false, 16, Progress.NONE);
    }

    public Request withModelOutput(int k) {
      return new Request(layers, method, targets, k, score, keepTensors, batchSize, progress);
    }

    public Request withTensors(boolean keep) {
      return new Request(layers, method, targets, modelOutput, score, keep, batchSize, progress);
    }

    public Request withScore(GradientSpec.Score s) {
      return new Request(layers, method, targets, modelOutput, s, keepTensors, batchSize, progress);
    }

    public Request withBatchSize(int n) {
      return new Request(layers, method, targets, modelOutput, score, keepTensors, n, progress);
    }
  }

  private final ModelProto model;
  private final Request request;
  private final RuntimeOptions options;
  private final GradientEngine engine;
  private final ResizeProgram resize;
  private final Explainer camFactor;
  /** The flow of a method that runs its own ({@link CamMethod.OwnFlow}), else null. */
  private final MethodFlow flow;
  private PerturbationRunner perturber;
  /** The forward-only programs that score occluded copies (occlusion), one per lane; opened on first use. */
  private Lanes<GradientEngine> occlusionLanes;

  public Explainer(ModelProto model, Request request, RuntimeOptions options) {
    this(model, request, options, false);
  }

  /**
   * An explainer whose program starts at the (single) layer: {@link #explainResized(Map, Map, List,
   * boolean)} is fed the tensors crossing the layer's cut ({@link #feedShapes}) rather than the
   * model input, and computes the same maps from them. For the gradient methods computed in the
   * graph or on the host; compiling fails with {@link GradientProgram.NoCut} when the model cannot
   * be cut there.
   */
  public static Explainer fromLayer(ModelProto model, Request request, RuntimeOptions options) {
    if (!(request.method() instanceof CamMethod.InGraph || request.method() instanceof CamMethod.OnHost)) {
      throw new GradientProgram.NoCut(request.method().name() + " needs the model input, not only the layer");
    }
    return new Explainer(model, request, options, true);
  }

  private Explainer(ModelProto model, Request request, RuntimeOptions options, boolean fromLayer) {
    this.model = model;
    this.request = request;
    this.options = options;
    CamMethod m = request.method();
    if (m instanceof CamMethod.Occluding || m instanceof CamMethod.OwnFlow) {
      if (m instanceof CamMethod.OwnFlow f) {
        this.flow = f.open(model, request, options);
        this.engine = flow.engine();
      } else {
        // the unperturbed pass: the target, its region counts and its effective seed, no gradients
        this.flow = null;
        this.engine = new GradientEngine(model, forwardOnly(model, request).withExtension(
            p -> p.addOutput(SeedHead.EFFECTIVE_SEED), "effective-seed"), options);
      }
      this.resize = null;
      this.camFactor = null;
      return;
    }
    this.flow = null;
    if (m instanceof CamMethod.InputSpace a) {
      // the model input is the layer; guided-gradcam adds a Grad-CAM explainer at the user's layers
      String input = Graph.fromModel(model).inputNames().get(0);
      this.engine = new GradientEngine(model, GradientEngine.Config.of(List.of(input))
          .withModelOutput(request.modelOutput()).withScore(request.score()).withRules(a.rules())
          .withTensors(true, false).withExtension(p -> p.addOutput(SeedHead.EFFECTIVE_SEED), "effective-seed"),
          options);
      this.resize = null;
      this.camFactor = a.camFactor() == null ? null : new Explainer(model, new Request(request.layers(),
          a.camFactor(), request.targets(), request.modelOutput(), request.score(), false, request.batchSize(),
          request.progress()), options);
      return;
    }
    this.camFactor = null;
    GradientEngine.Config cfg = layerConfig(m);
    this.engine = new GradientEngine(model, fromLayer ? cfg.fromLayer() : cfg, options);
    this.resize = new ResizeProgram(options);
  }

  /** A forward-only program of the request's model output and score, the model input standing in for the layer. */
  private static GradientEngine.Config forwardOnly(ModelProto model, Request request) {
    String input = Graph.fromModel(model).inputNames().get(0);
    return GradientEngine.Config.of(List.of(input)).withModelOutput(request.modelOutput()).withScore(request.score())
        .withoutGradients().withTensors(false, false);
  }

  /** A method's identity in program cache keys: its class, and its parameters when it is a record. */
  private static String methodKey(CamMethod m) {
    return m.getClass().getName() + (m instanceof Record ? m.toString() : ":" + m.name());
  }

  /** The compiled program's configuration for a method at the request's layers. */
  private GradientEngine.Config layerConfig(CamMethod m) {
    GradientEngine.Config cfg = GradientEngine.Config.of(request.layers())
        .withModelOutput(request.modelOutput()).withScore(request.score())
        .withTensors(request.keepTensors() || !(m instanceof CamMethod.InGraph) || m.propagatesRelevance(), false)
        .withContrast(m.contrast()).withRules(m.rules());
    if (!m.usesGradients()) {
      cfg = cfg.withoutGradients();
    }
    // each extension's key names what it adds, for the on-disk program cache
    if (m instanceof CamMethod.InGraph g) {
      cfg = cfg.withExtension(p -> {
        appendCams(p, g);
        p.addOutput(SeedHead.EFFECTIVE_SEED);
      }, "cams:" + methodKey(g) + "+effective-seed");
    } else if (m instanceof CamMethod.Perturbation) {
      cfg = cfg.withExtension(this::appendPerturbationOutputs, "perturbation-outputs:"
          + (m instanceof CamMethod.Perturbation.OfLayer) + "+effective-seed");
    } else {
      cfg = cfg.withExtension(p -> p.addOutput(SeedHead.EFFECTIVE_SEED), "effective-seed");
    }
    if (m.usesGradients() && !(m instanceof CamMethod.InputSpace) && !m.propagatesRelevance()) {
      GradientEngine.Extension methodPart = cfg.extension();
      cfg = cfg.withExtension(p -> {
        methodPart.extend(p);
        Conditioning.append(p);
      }, cfg.extensionKey() + "+conditioning");
    }
    return cfg;
  }

  /** The spatial size of the (first) model input: the grid maps are resized to. */
  private static long[] inputSpatial(GradientProgram p) {
    long[] s = p.modelInputShapes().values().iterator().next();
    return Arrays.copyOfRange(s, 2, s.length);
  }

  /** cam_layer_i and resized_i (ReLU-ed, on the input grid) as graph outputs. */
  private static void appendCams(GradientProgram p, CamMethod.InGraph method) {
    GraphBuilder b = p.builder();
    long[] spatial = inputSpatial(p);
    for (int i = 0; i < p.layers().size(); i++) {
      LayerGradient l = p.layers().get(i);
      int layer = i;
      CamGraph g = new CamGraph(b, () -> p.hessianTimesActivation(layer));
      String camLayer = method.camLayer(g, l.activation(), l.gradient());
      b.opNamed("Identity", List.of(camLayer), List.of("cam_layer_" + i));
      b.opNamed("Identity", List.of(Resize.toInputGrid(b, camLayer, spatial)), List.of("resized_" + i));
      p.addOutput("cam_layer_" + i);
      p.addOutput("resized_" + i);
    }
  }

  private void appendPerturbationOutputs(GradientProgram p) {
    p.addOutput(SeedHead.EFFECTIVE_SEED);
    if (!(request.method() instanceof CamMethod.Perturbation.OfLayer)) {
      return;
    }
    Graph g = p.builder().graph();
    String input = g.inputNames().get(0);
    for (LayerGradient l : p.layers()) {
      for (String t : Cut.of(g, l.activation()).boundary()) {
        if (!t.equals(input) && !t.startsWith("gc3d")) {
          p.addOutput(t);
        }
      }
    }
  }

  /** Explains one batch for the request's targets. */
  public Explanation explain(Map<String, FloatTensor> inputs) {
    return explain(inputs, request.targets());
  }

  /**
   * Explains one batch; inputs by model input name (a single input may use any key); one target
   * for every sample or one per sample. The maps are final: resized and normalised.
   */
  public Explanation explain(Map<String, FloatTensor> inputs, List<Target> targets) {
    return Normalise.apply(explainResized(inputs, targets), request.method());
  }

  /**
   * The explain and resize stages: per layer cam_layer and ReLU(cam_layer) on the input grid, not
   * yet normalised (the aggregate map is null until {@link Normalise#apply}).
   */
  public Explanation explainResized(Map<String, FloatTensor> inputs, List<Target> targets) {
    return explainResized(inputs, targets, false);
  }

  /**
   * Same; with {@code releaseMemory} the gradient session gives its idle working memory back after
   * the run (for the last of a series of runs, e.g. a lane's last sliding window).
   */
  public Explanation explainResized(Map<String, FloatTensor> inputs, List<Target> targets, boolean releaseMemory) {
    return explainResized(FloatTensor.shapesOf(inputs), inputs, targets, releaseMemory);
  }

  /**
   * Same, for the program compiled for model input shapes {@code shapes}, fed {@code inputs}: the
   * model inputs, or for an explainer {@link #fromLayer} the tensors of {@link #feedShapes}.
   */
  public Explanation explainResized(Map<String, long[]> shapes, Map<String, FloatTensor> inputs, List<Target> targets,
      boolean releaseMemory) {
    for (Map.Entry<String, FloatTensor> e : inputs.entrySet()) {
      requireFinite(e.getKey(), e.getValue());
    }
    if (flow != null) {
      return flow.explainResized(shapes, inputs, targets, releaseMemory);
    }
    long[] os = engine.outputShape(shapes);
    GradientEngine.Seed seed = Target.seed(targets, os);
    GradientEngine.Result r = engine.run(shapes, inputs, seed, releaseMemory);
    List<Target> perSample = TargetRegions.perSample(targets, os[0]);
    TargetRegions.check(r, perSample, os);
    long t0 = System.nanoTime();
    List<Explanation.LayerMap> layers = new ArrayList<>();
    List<LayerGradient> lgs = r.layers();
    CamMethod m = request.method();
    long[] inShape = shapes.values().iterator().next();
    long[] spatial = Arrays.copyOfRange(inShape, 2, inShape.length);
    Explanation.Attribution attribution = null;
    if (m instanceof CamMethod.InputSpace a) {
      Map.Entry<String, FloatTensor> in = inputs.entrySet().iterator().next();
      FloatTensor factor = camFactor == null ? null : camFactor.explain(inputs, targets).cam();
      InputAttributions.Result ar = InputAttributions.compute(a, engine, in.getKey(), in.getValue(), r,
          request.batchSize(), factor);
      attribution = new Explanation.Attribution(ar.attribution(), ar.completenessGap());
      FloatTensor map = a.map(ar.attribution());
      LayerGradient l = lgs.get(0);
      layers.add(new Explanation.LayerMap(l.layer(), l.shape(), map, InputAttributions.relu(map),
          request.keepTensors() ? in.getValue() : null, request.keepTensors() ? r.gradient(0) : null, null, null));
    } else if (m instanceof CamMethod.Occluding o) {
      attribution = occlusion(o, inputs, r);
      FloatTensor map = o.map(attribution.values());
      LayerGradient l = lgs.get(0);
      FloatTensor x = inputs.values().iterator().next();
      layers.add(new Explanation.LayerMap(l.layer(), l.shape(), map, InputAttributions.relu(map),
          request.keepTensors() ? x : null, null, null, null));
    } else if (m instanceof CamMethod.InGraph) {
      for (int i = 0; i < lgs.size(); i++) {
        layers.add(layerMap(r, inputs, i, r.floats("cam_layer_" + i), r.floats("resized_" + i), null));
      }
    } else {
      List<FloatTensor> camLayers = new ArrayList<>();
      List<float[][]> weights = new ArrayList<>();
      if (m instanceof CamMethod.OnHost h) {
        for (int i = 0; i < lgs.size(); i++) {
          camLayers.add(h.camLayer(activation(r, inputs, i), m.usesGradients() ? r.gradient(i) : null));
          weights.add(null);
        }
      } else {
        CamMethod.Perturbation pm = (CamMethod.Perturbation) m;
        PerturbationRunner runner = perturber(inputs, r);
        for (int i = 0; i < lgs.size(); i++) {
          float[][] w = pm.channelWeights(runner, i);
          weights.add(w);
          camLayers.add(weightedSum(w, r.activation(i)));
        }
      }
      List<FloatTensor> resized = resize.run(camLayers, spatial);
      for (int i = 0; i < lgs.size(); i++) {
        layers.add(layerMap(r, inputs, i, camLayers.get(i), resized.get(i), weights.get(i)));
      }
    }
    Explanation.Relevance relevance = null;
    if (m.propagatesRelevance()) {
      double[][] arrived = new double[layers.size()][];
      for (int i = 0; i < arrived.length; i++) {
        arrived[i] = perSampleSums(attribution != null ? attribution.values() : r.gradient(i));
      }
      relevance = new Explanation.Relevance(m.startingRelevance(r.floats(SeedHead.EFFECTIVE_SEED), r.targetValues()),
          arrived);
    }
    double postMs = (System.nanoTime() - t0) / 1e6;
    return TargetRegions.explanation(r, perSample, os, layers, postMs, attribution, null).withRelevance(relevance);
  }

  /** Sum over everything but the batch axis, per sample, in double. */
  static double[] perSampleSums(FloatTensor t) {
    int batch = (int) t.dim(0);
    int per = t.size() / batch;
    double[] out = new double[batch];
    for (int b = 0; b < batch; b++) {
      double s = 0;
      for (int i = 0; i < per; i++) {
        s += t.data()[b * per + i];
      }
      out[b] = s;
    }
    return out;
  }

  /** An occluding method's attribution of every sample, scored on lanes of forward-only programs. */
  private Explanation.Attribution occlusion(CamMethod.Occluding o, Map<String, FloatTensor> inputs,
      GradientEngine.Result r) {
    if (inputs.size() != 1) {
      throw new Gradcam3dException(o.name() + " needs a model with a single input");
    }
    if (occlusionLanes == null) {
      occlusionLanes = Lanes.open(options, lane -> new GradientEngine(model, forwardOnly(model, request), lane));
    }
    Graph g = Graph.fromModel(model);
    return WholeInputScorer.attributeEach(o, occlusionLanes, g, g.inputNames().get(0), inputs.values().iterator().next(),
        r.floats(SeedHead.EFFECTIVE_SEED), request.batchSize(), request.progress());
  }

  /** Layer i's activation: computed by the program, or fed to it (a program from the layer). */
  private static FloatTensor activation(GradientEngine.Result r, Map<String, FloatTensor> inputs, int i) {
    String name = r.layers().get(i).activation();
    return r.has(name) ? r.activation(i) : inputs.get(name);
  }

  private Explanation.LayerMap layerMap(GradientEngine.Result r, Map<String, FloatTensor> inputs, int i,
      FloatTensor camLayer, FloatTensor cam, float[][] weights) {
    LayerGradient l = r.layers().get(i);
    FloatTensor a = request.keepTensors() ? activation(r, inputs, i) : null;
    // LRP's relevance at the layer is a result in itself
    boolean keepGradient = request.keepTensors() || request.method().propagatesRelevance();
    FloatTensor g = keepGradient && l.gradient() != null && r.has(l.gradient()) ? r.gradient(i) : null;
    return new Explanation.LayerMap(l.layer(), l.shape(), camLayer, cam, a, g, weights,
        Conditioning.illConditioned(r, i));
  }

  private PerturbationRunner perturber(Map<String, FloatTensor> inputs, GradientEngine.Result r) {
    if (inputs.size() != 1) {
      throw new Gradcam3dException(request.method().name() + " needs a model with a single input");
    }
    if (perturber == null) {
      Graph g = Graph.fromModel(model);
      List<String> tensors = r.layers().stream().map(LayerGradient::activation).toList();
      perturber = new PerturbationRunner(g, tensors, request.modelOutput(), request.score(),
          request.batchSize(), options, request.progress());
    }
    List<FloatTensor> acts = new ArrayList<>();
    Map<String, FloatTensor> boundaries = new LinkedHashMap<>();
    for (int i = 0; i < r.layers().size(); i++) {
      acts.add(r.activation(i));
    }
    if (request.method() instanceof CamMethod.Perturbation.OfLayer) {
      Specialization sp = Specialization.of(Graph.fromModel(model), FloatTensor.shapesOf(inputs));
      for (LayerGradient l : r.layers()) {
        for (String t : Cut.of(sp.graph(), l.activation()).boundary()) {
          if (r.has(t)) {
            boundaries.put(t, r.floats(t));
          }
        }
      }
    }
    perturber.setBatch(new PerturbationRunner.Batch(inputs.values().iterator().next(), acts,
        r.floats(SeedHead.EFFECTIVE_SEED), r.targetValues(), boundaries));
    return perturber;
  }

  /** cam_layer = sum_c w[b][c] A[b, c]. */
  static FloatTensor weightedSum(float[][] w, FloatTensor a) {
    long[] s = a.shape();
    int batch = (int) s[0];
    int channels = (int) s[1];
    long[] spatial = Arrays.copyOfRange(s, 2, s.length);
    int voxels = (int) Shapes.numel(spatial);
    float[] out = new float[batch * voxels];
    float[] d = a.data();
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < channels; c++) {
        float wc = w[b][c];
        int base = (b * channels + c) * voxels;
        for (int v = 0; v < voxels; v++) {
          out[b * voxels + v] += wc * d[base + v];
        }
      }
    }
    return new FloatTensor(out, Shapes.concat(new long[] {batch}, spatial));
  }

  /** Shape of the model output the target reads, for these input shapes. */
  public long[] outputShape(Map<String, long[]> shapes) {
    return engine.outputShape(shapes);
  }

  /** Fails with a one-line message when an input holds NaN or infinite values. */
  public static void requireFinite(String name, FloatTensor x) {
    String nonFinite = x.nonFiniteMessage("input '" + name + "'");
    if (nonFinite != null) {
      throw new Gradcam3dException(nonFinite);
    }
  }

  /**
   * The compiled explanation for these input shapes as a standalone ONNX model. Inputs: the model's
   * input(s), {@value SeedHead#SEED} and {@value SeedHead#GATE} (the target, as
   * {@link Target#seed} makes them). Outputs: {@code cam_layer_<i>} and {@code resized_<i>}
   * (ReLU-ed, on the input grid; cam is its per-sample min-max) for the in-graph methods and the
   * eigen methods (their principal component by repeated squaring in graph ops,
   * {@link CamMethod.OnHost#inGraph}: the host's exact one up to float32 rounding); input-space
   * methods dT/dx (the host applies the method's arithmetic); always
   * {@value SeedHead#TARGET}, the region counts and {@value SeedHead#EFFECTIVE_SEED}.
   */
  public ModelProto compiledGraph(Map<String, long[]> shapes) {
    requireOneGraph(request.method());
    if (request.method() instanceof CamMethod.OnHost h) {
      // the host's exact eigen-decomposition becomes iterative graph arithmetic, in the file only
      try (GradientEngine exported = new GradientEngine(model, layerConfig(h.inGraph()), options)) {
        return exported.program(shapes).toModel();
      }
    }
    return engine.program(shapes).toModel();
  }

  /** Fails for methods that are not one compiled graph ({@link CamMethod#notOneGraph}). */
  public static void requireOneGraph(CamMethod m) {
    String why = m.notOneGraph();
    if (why != null) {
      throw new Gradcam3dException("--export-graph: " + m.name() + " is not one graph (" + why + ")");
    }
  }

  /** The tensors {@link #explainResized(Map, Map, List, boolean)} is fed for these model input shapes. */
  public Map<String, long[]> feedShapes(Map<String, long[]> shapes) {
    return engine.feedShapes(shapes);
  }

  /** Compile and session timings for an input shape (compiles on first use). */
  public GradientEngine.CompileStats prepare(Map<String, long[]> shapes) {
    return engine.compiled(shapes).stats();
  }

  @Override
  public void close() {
    if (flow != null) {
      flow.close(); // the flow's engine is ours too
      return;
    }
    try {
      engine.close();
    } finally {
      if (resize != null) {
        resize.close();
      }
      if (perturber != null) {
        perturber.close();
      }
      if (camFactor != null) {
        camFactor.close();
      }
      if (occlusionLanes != null) {
        occlusionLanes.close();
      }
    }
  }
}
