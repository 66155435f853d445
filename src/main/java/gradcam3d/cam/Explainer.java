package gradcam3d.cam;

import gradcam3d.Gradcam3dException;
import gradcam3d.autodiff.GradientProgram;
import gradcam3d.autodiff.GradientProgram.LayerGradient;
import gradcam3d.autodiff.GradientSpec;
import gradcam3d.graph.Graph;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.Specialization;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
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
 * as one compiled graph (forward, backward, CAM arithmetic and post-processing); the eigen methods
 * finish on the host; Score-CAM and Ablation-CAM add batched forward passes.
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
      if (layers.isEmpty()) {
        throw new Gradcam3dException("give at least one --layer");
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

    public Request withProgress(Progress p) {
      return new Request(layers, method, targets, modelOutput, score, keepTensors, batchSize, p);
    }
  }

  private final ModelProto model;
  private final Request request;
  private final RuntimeOptions options;
  private final GradientEngine engine;
  private final PostProcess.Program post;
  private PerturbationRunner perturber;

  public Explainer(ModelProto model, Request request, RuntimeOptions options) {
    this.model = model;
    this.request = request;
    this.options = options;
    CamMethod m = request.method();
    GradientEngine.Config cfg = GradientEngine.Config.of(request.layers())
        .withModelOutput(request.modelOutput()).withScore(request.score())
        .withTensors(request.keepTensors() || !(m instanceof CamMethod.InGraph), false);
    if (!m.usesGradients()) {
      cfg = cfg.withoutGradients();
    }
    if (m instanceof CamMethod.InGraph g) {
      cfg = cfg.withExtension(p -> {
        appendCams(p, g);
        p.addOutput(GradientProgram.EFFECTIVE_SEED);
      });
    } else if (m instanceof CamMethod.Perturbation) {
      cfg = cfg.withExtension(this::appendPerturbationOutputs);
    } else {
      cfg = cfg.withExtension(p -> p.addOutput(GradientProgram.EFFECTIVE_SEED));
    }
    this.engine = new GradientEngine(model, cfg, options);
    this.post = new PostProcess.Program(options);
  }

  private static long[] inputSpatial(GradientProgram p) {
    long[] s = p.inputShapes().values().iterator().next();
    return Arrays.copyOfRange(s, 2, s.length);
  }

  /** cam_layer_i, cam_i and the aggregate cam as graph outputs. */
  private static void appendCams(GradientProgram p, CamMethod.InGraph method) {
    GraphBuilder b = p.builder();
    CamGraph g = new CamGraph(b);
    List<String> cams = new ArrayList<>();
    long[] spatial = inputSpatial(p);
    for (int i = 0; i < p.layers().size(); i++) {
      LayerGradient l = p.layers().get(i);
      String camLayer = method.camLayer(g, l.activation(), l.gradient());
      b.opNamed("Identity", List.of(camLayer), List.of("cam_layer_" + i));
      b.opNamed("Identity", List.of(PostProcess.finish(b, camLayer, spatial)), List.of("cam_" + i));
      p.addOutput("cam_layer_" + i);
      p.addOutput("cam_" + i);
      cams.add("cam_" + i);
    }
    b.opNamed("Identity", List.of(PostProcess.aggregate(b, cams)), List.of("cam"));
    p.addOutput("cam");
  }

  private void appendPerturbationOutputs(GradientProgram p) {
    p.addOutput(GradientProgram.EFFECTIVE_SEED);
    if (!request.method().name().equals("ablationcam")) {
      return;
    }
    Graph g = p.builder().graph();
    String input = g.inputNames().get(0);
    for (LayerGradient l : p.layers()) {
      for (String t : PerturbationRunner.Cut.of(g, l.activation()).boundary()) {
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
   * for every sample or one per sample.
   */
  public Explanation explain(Map<String, FloatTensor> inputs, List<Target> targets) {
    for (Map.Entry<String, FloatTensor> e : inputs.entrySet()) {
      requireFinite(e.getKey(), e.getValue());
    }
    Map<String, long[]> shapes = new LinkedHashMap<>();
    inputs.forEach((k, v) -> shapes.put(k, v.shape()));
    return explain(inputs, Target.seed(targets, engine.outputShape(shapes)), targets);
  }

  /**
   * Explains one batch with a seed the caller built (e.g. a whole-volume target restricted to a
   * window and weighted); {@code targets} name the explained class of each sample.
   */
  public Explanation explain(Map<String, FloatTensor> inputs, GradientEngine.Seed seed, List<Target> targets) {
    long[] os = seed.weights().shape();
    GradientEngine.Result r = engine.run(inputs, seed);
    List<Target> perSample = new ArrayList<>();
    for (int b = 0; b < os[0]; b++) {
      perSample.add(targets.size() == 1 ? targets.get(0) : targets.get(b));
    }
    checkRegions(r, perSample, os);
    long t0 = System.nanoTime();
    List<Explanation.LayerMap> layers = new ArrayList<>();
    FloatTensor aggregate;
    List<LayerGradient> lgs = r.layers();
    CamMethod m = request.method();
    long[] inShape = inputs.values().iterator().next().shape();
    long[] spatial = Arrays.copyOfRange(inShape, 2, inShape.length);
    if (m instanceof CamMethod.InGraph) {
      for (int i = 0; i < lgs.size(); i++) {
        layers.add(layerMap(r, i, r.floats("cam_layer_" + i), r.floats("cam_" + i), null));
      }
      aggregate = r.floats("cam");
    } else {
      List<FloatTensor> camLayers = new ArrayList<>();
      List<float[][]> weights = new ArrayList<>();
      if (m instanceof CamMethod.OnHost h) {
        for (int i = 0; i < lgs.size(); i++) {
          camLayers.add(h.camLayer(r.activation(i), m.usesGradients() ? r.gradient(i) : null));
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
      List<FloatTensor> finals = post.run(camLayers, spatial);
      for (int i = 0; i < lgs.size(); i++) {
        layers.add(layerMap(r, i, camLayers.get(i), finals.get(i), weights.get(i)));
      }
      aggregate = finals.get(finals.size() - 1);
    }
    double postMs = (System.nanoTime() - t0) / 1e6;
    return new Explanation(layers, aggregate, r.targetValues(), regionVoxels(r, perSample, os),
        r.predictedVoxels(), region(r.floats(GradientProgram.EFFECTIVE_SEED), perSample, os), perSample, os,
        r.compileStats(), r.runMs(), postMs);
  }

  private Explanation.LayerMap layerMap(GradientEngine.Result r, int i, FloatTensor camLayer, FloatTensor cam,
      float[][] weights) {
    LayerGradient l = r.layers().get(i);
    FloatTensor a = request.keepTensors() && r.has(l.activation()) ? r.activation(i) : null;
    FloatTensor g = request.keepTensors() && l.gradient() != null && r.has(l.gradient()) ? r.gradient(i) : null;
    return new Explanation.LayerMap(l.layer(), l.shape(), camLayer, cam, a, g, weights);
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
    if (request.method().name().equals("ablationcam")) {
      Specialization sp = Specialization.of(Graph.fromModel(model), shapesOf(inputs));
      for (LayerGradient l : r.layers()) {
        for (String t : PerturbationRunner.Cut.of(sp.graph(), l.activation()).boundary()) {
          if (r.has(t)) {
            boundaries.put(t, r.floats(t));
          }
        }
      }
    }
    perturber.setBatch(new PerturbationRunner.Batch(inputs.values().iterator().next(), acts,
        r.floats(GradientProgram.EFFECTIVE_SEED), r.targetValues(), boundaries));
    return perturber;
  }

  private static Map<String, long[]> shapesOf(Map<String, FloatTensor> inputs) {
    Map<String, long[]> m = new LinkedHashMap<>();
    inputs.forEach((k, v) -> m.put(k, v.shape()));
    return m;
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

  /** Each sample's target region on the output grid [B, *So] (1 inside), or null for classifiers. */
  private static FloatTensor region(FloatTensor effectiveSeed, List<Target> targets, long[] os) {
    if (os.length <= 2) {
      return null;
    }
    int batch = (int) os[0];
    int classes = (int) os[1];
    long[] spatial = Arrays.copyOfRange(os, 2, os.length);
    int voxels = (int) Shapes.numel(spatial);
    float[] e = effectiveSeed.data();
    float[] out = new float[batch * voxels];
    for (int b = 0; b < batch; b++) {
      int k = targets.get(b).classIndex();
      for (int v = 0; v < voxels; v++) {
        out[b * voxels + v] = e[(b * classes + k) * voxels + v] != 0 ? 1f : 0f;
      }
    }
    return new FloatTensor(out, Shapes.concat(new long[] {batch}, spatial));
  }

  /** Shape of the model output the target reads, for these input shapes. */
  public long[] outputShape(Map<String, long[]> shapes) {
    return engine.outputShape(shapes);
  }

  /** Voxels in each sample's target region. */
  private static long[] regionVoxels(GradientEngine.Result r, List<Target> targets, long[] os) {
    float[] region = r.regionVoxels().data();
    int classes = (int) os[1];
    long[] out = new long[targets.size()];
    for (int b = 0; b < out.length; b++) {
      Target t = targets.get(b);
      if (t.kind() == Target.Kind.ARGMAX) {
        double sum = 0;
        for (int k = 0; k < classes; k++) {
          sum += region[b * classes + k];
        }
        out[b] = Math.round(sum);
      } else {
        out[b] = Math.round(region[b * classes + t.classIndex()]);
      }
    }
    return out;
  }

  private static void checkRegions(GradientEngine.Result r, List<Target> targets, long[] os) {
    long[] counts = regionVoxels(r, targets, os);
    float[] predicted = r.predictedVoxels().data();
    int classes = (int) os[1];
    for (int b = 0; b < counts.length; b++) {
      if (counts[b] > 0) {
        continue;
      }
      Target t = targets.get(b);
      StringBuilder present = new StringBuilder();
      for (int k = 0; k < classes; k++) {
        long n = Math.round(predicted[b * classes + k]);
        if (n > 0) {
          present.append(present.length() == 0 ? "" : ", ").append(k).append(" (").append(n).append(" voxels)");
        }
      }
      String where = os[0] > 1 ? " in sample " + b : "";
      switch (t.kind()) {
        case PREDICTED:
          throw new Gradcam3dException("class " + t.classIndex() + " is absent" + where + ": the model predicts "
              + "no voxel of it (predicted classes: " + present + "). Try --target " + t.classIndex()
              + ":all to explain its score over the whole volume, a mask or box target, or a predicted class.");
        case MASK:
          throw new Gradcam3dException("the target mask " + t.maskFile() + " has no voxel > 0" + where
              + "; nothing to explain");
        default:
          throw new Gradcam3dException("the target region of '" + t.spec() + "' is empty" + where);
      }
    }
  }

  /** Fails with a one-line message when an input holds NaN or infinite values. */
  public static void requireFinite(String name, FloatTensor x) {
    float[] d = x.data();
    for (int i = 0; i < d.length; i++) {
      if (!Float.isFinite(d[i])) {
        throw new Gradcam3dException("input '" + name + "' contains " + (Float.isNaN(d[i]) ? "NaN" : "infinite")
            + " values (first at flat index " + i + " of shape " + Shapes.format(x.shape()) + ")");
      }
    }
  }

  /** Compile and session timings for an input shape (compiles on first use). */
  public GradientEngine.CompileStats prepare(Map<String, long[]> shapes) {
    return engine.compiled(shapes).stats();
  }

  @Override
  public void close() {
    try {
      engine.close();
    } finally {
      post.close();
      if (perturber != null) {
        perturber.close();
      }
    }
  }
}
