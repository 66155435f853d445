package gradcam3d.runtime;

import gradcam3d.Gradcam3dException;
import gradcam3d.autodiff.BackwardRules;
import gradcam3d.autodiff.GradientProgram;
import gradcam3d.autodiff.GradientProgram.LayerGradient;
import gradcam3d.autodiff.GradientSpec;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.optimize.FastForm;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Activations and exact gradients of a target with respect to chosen layers, computed by one ONNX
 * Runtime session that runs the model forward and the compiled backward graph together. A program
 * is compiled and a session created once per input shape and then reused (kept by a
 * {@link SessionCache}).
 *
 * <pre>{@code
 * try (GradientEngine engine = new GradientEngine(model, GradientEngine.Config.of(LayerSpec.names("down3")),
 *     RuntimeOptions.defaults())) {
 *   GradientEngine.Result r = engine.run(Map.of("input", x), seed);   // e.g. cam.Target.seed(...)
 *   FloatTensor a = r.activation(0), g = r.gradient(0);
 * }
 * }</pre>
 */
public final class GradientEngine implements AutoCloseable {

  /** Adds nodes and outputs to a program before it is compiled (e.g. the CAM arithmetic). */
  @FunctionalInterface
  public interface Extension {
    void extend(GradientProgram program);
  }

  /**
   * What the engine computes: the program to differentiate ({@link GradientSpec}: layers, model
   * output, gradients or not, rules, from the layer), the seed's score of that output (and the
   * contrast a method weighs it with), which tensors are outputs, and what an extension adds.
   * {@code extensionKey} describes what the extension adds, for the {@link ProgramCache}: a
   * program whose extension has none is never cached. {@code target}: whether the seed head's
   * target is computed (its seed fed, its outputs returned); off only for forward-only programs
   * whose callers read other outputs. {@code gated}: whether the seed has the predicted-mask gate
   * ({@link Builder#ungated}). {@code targetValue}: whether the target's value is an output
   * ({@link Builder#withoutTargetValue}). Made by {@link #of} or {@link #builder}.
   */
  public record Config(GradientSpec program, Score score, SeedHead.Contrast contrast, boolean returnTensors,
      boolean returnModelOutput, Extension extension, String extensionKey, boolean target, boolean gated,
      boolean targetValue) {
    /** Exact gradients of model output 0's logits at {@code layers}; activations, gradients and output returned. */
    public static Config of(List<LayerSpec> layers) {
      return builder(layers).build();
    }

    /** A builder starting from {@link #of}. */
    public static Builder builder(List<LayerSpec> layers) {
      return new Builder(layers);
    }

    /** A builder starting from this configuration, to change some of it. */
    public Builder toBuilder() {
      return new Builder(this);
    }

    /** Everything the program is compiled from besides the model and input shapes; null: not cacheable. */
    String description() {
      if (extension != null && extensionKey == null) {
        return null;
      }
      // a StringBuilder, not '+': each '+' site costs a cold JVM a method-handle bootstrap
      StringBuilder sb = new StringBuilder("layers=");
      for (LayerSpec layer : program.layers()) {
        String l = layer.toString();  // name:grid=Z,Y,X: a token grid makes another program
        sb.append(l.length()).append(':').append(l);
      }
      return sb.append(";modelOutput=").append(program.modelOutput()).append(";score=").append(score)
          .append(";gradients=").append(program.gradients()).append(";tensors=").append(returnTensors)
          .append(";modelOutputToo=").append(returnModelOutput).append(";rules=").append(program.rules().key())
          .append(";fromLayer=").append(program.fromLayer()).append(";target=").append(target)
          .append(";extension=").append(extension == null ? "none" : extensionKey)
          .append(contrast == null ? "" : ";contrast=" + contrast.key()).append(gated ? "" : ";ungated")
          .append(targetValue ? "" : ";noTargetValue").toString();
    }

    /** A configuration changed setting by setting; the fields are the record's and its program's. */
    public static final class Builder {
      private List<LayerSpec> layers;
      private int modelOutput;
      private boolean gradients = true;
      private BackwardRules rules = BackwardRules.EXACT;
      private boolean fromLayer;
      private Score score = Score.LOGITS;
      private SeedHead.Contrast contrast;
      private boolean returnTensors = true;
      private boolean returnModelOutput = true;
      private Extension extension;
      private String extensionKey;
      private boolean target = true;
      private boolean gated = true;
      private boolean targetValue = true;

      private Builder(List<LayerSpec> layers) {
        this.layers = layers;
      }

      private Builder(Config c) {
        GradientSpec p = c.program;
        layers = p.layers();
        modelOutput = p.modelOutput();
        gradients = p.gradients();
        rules = p.rules();
        fromLayer = p.fromLayer();
        score = c.score;
        contrast = c.contrast;
        returnTensors = c.returnTensors;
        returnModelOutput = c.returnModelOutput;
        extension = c.extension;
        extensionKey = c.extensionKey;
        target = c.target;
        gated = c.gated;
        targetValue = c.targetValue;
      }

      /** Which output of a multi-output model the seed reads. */
      public Builder modelOutput(int k) {
        modelOutput = k;
        return this;
      }

      public Builder score(Score s) {
        score = s;
        return this;
      }

      /** Guided backpropagation's (or LRP's) rules instead of exact gradients. */
      public Builder rules(BackwardRules r) {
        rules = r;
        return this;
      }

      /** Forward only: activations and target, no backward graph. */
      public Builder forwardOnly() {
        gradients = false;
        return this;
      }

      /**
       * A forward-only program that computes no target: no seed is fed, and the head's outputs
       * (target, region and predicted voxels) and the ops over the model output they need are
       * left out (pass 1 of sliding windows reads only the scores and the layer's cut: the head
       * cost it about 5% of its CPU time, docs/benchmarks.md).
       */
      public Builder withoutTarget() {
        target = false;
        return this;
      }

      /**
       * Every target this program runs has the predicted-mask gate off (the windows of a
       * sliding-window explanation, whose region is fixed on the blended prediction): the seed head
       * has no gate ({@link SeedHead#ungated}), a run's effective seed is the seed it is fed
       * (returned as {@value SeedHead#EFFECTIVE_SEED} without a copy through ONNX Runtime), and no
       * predicted voxels are counted. A seed with a gate on fails the run.
       */
      public Builder ungated() {
        gated = false;
        return this;
      }

      /**
       * The program differentiates the target but does not return its value
       * ({@value SeedHead#TARGET}): the windows of a sliding-window explanation, whose whole-volume
       * value is read from the blended prediction. The ops over the model output only the value
       * reads are pruned: with logits (the seed's gradient is the seed itself) the model's last
       * layers after the cut of every nonlinearity, e.g. the last convolution (about 6% of a
       * window's pass-2 program for the 192^3 benchmark, docs/benchmarks.md). Ungated only.
       */
      public Builder withoutTargetValue() {
        targetValue = false;
        return this;
      }

      /**
       * The program starts at the layer: it is fed the layer's activation and the other tensors
       * crossing its cut ({@link GradientEngine#feedShapes}) instead of the model input, see
       * {@link GradientProgram}.
       */
      public Builder fromLayer() {
        fromLayer = true;
        return this;
      }

      /** Whether the layers' activations and gradients, and the model output, are outputs. */
      public Builder tensors(boolean tensors, boolean modelOutputToo) {
        returnTensors = tensors;
        returnModelOutput = modelOutputToo;
        return this;
      }

      /** An extension whose programs are not cached. */
      public Builder extension(Extension e) {
        return extension(e, null);
      }

      /**
       * An extension described by {@code key}: two extensions with the same key must add the same
       * nodes and outputs to the same program (the key names the method, not an instance).
       */
      public Builder extension(Extension e, String key) {
        extension = e;
        extensionKey = key;
        return this;
      }

      /** The seed weights {@code c}'s score instead of the class scores ({@link SeedHead.Contrast}). */
      public Builder contrast(SeedHead.Contrast c) {
        contrast = c;
        return this;
      }

      public Config build() {
        if (!target && gradients) {
          throw new IllegalStateException("a program with gradients needs its target");
        }
        if (!targetValue && gated) {
          throw new IllegalStateException("only an ungated program leaves its target value out");
        }
        return new Config(new GradientSpec(layers, modelOutput, gradients, rules, fromLayer), score, contrast,
            returnTensors, returnModelOutput, extension, extensionKey, target, gated, targetValue);
      }
    }
  }

  /** The seed tensors of a run: per-class per-voxel weights and the predicted-mask gate. */
  public record Seed(FloatTensor weights, FloatTensor gate) {}

  /**
   * Timings of compilation (graph building, or reading a cached program) and session creation, in
   * milliseconds; {@code cache} is "hit", "miss" (compiled and stored), "off" or "not cacheable".
   */
  public record CompileStats(double compileMs, double sessionMs, int nodes, String cache) {}

  /** One compiled program with its session. */
  public static final class Compiled implements AutoCloseable {
    private final GradientProgram.Info program;
    private final OrtProgram session;
    private final CompileStats stats;

    Compiled(GradientProgram.Info program, OrtProgram session, CompileStats stats) {
      this.program = program;
      this.session = session;
      this.stats = stats;
    }

    public GradientProgram.Info program() {
      return program;
    }

    public CompileStats stats() {
      return stats;
    }

    @Override
    public void close() {
      session.close();
    }
  }

  /** What one run returns. */
  public static final class Result {
    private final Map<String, Object> outputs;
    private final List<LayerGradient> layers;
    private final String modelOutput;
    private final double runMs;
    private final CompileStats stats;

    Result(Map<String, Object> outputs, List<LayerGradient> layers, String modelOutput, double runMs,
        CompileStats stats) {
      this.outputs = outputs;
      this.layers = layers;
      this.modelOutput = modelOutput;
      this.runMs = runMs;
      this.stats = stats;
    }

    public FloatTensor activation(int layer) {
      return floats(layers.get(layer).activation());
    }

    public FloatTensor gradient(int layer) {
      return floats(layers.get(layer).gradient());
    }

    public FloatTensor modelOutput() {
      return floats(modelOutput);
    }

    /** T per sample. */
    public FloatTensor targetValues() {
      return floats(SeedHead.TARGET);
    }

    /** Voxels with a non-zero effective seed, per sample and class. */
    public FloatTensor regionVoxels() {
      return floats(SeedHead.REGION);
    }

    /** Voxels (or, for classifiers, 0/1) the model predicts as each class, per sample. */
    public FloatTensor predictedVoxels() {
      return floats(SeedHead.PREDICTED);
    }

    public boolean has(String name) {
      return outputs.containsKey(name);
    }

    public FloatTensor floats(String name) {
      Object o = outputs.get(name);
      if (!(o instanceof FloatTensor f)) {
        throw new IllegalArgumentException("no float output '" + name + "' in " + outputs.keySet());
      }
      return f;
    }

    public List<LayerGradient> layers() {
      return layers;
    }

    public double runMs() {
      return runMs;
    }

    public CompileStats compileStats() {
      return stats;
    }
  }

  private final ModelProto model;
  private final Config config;
  private final RuntimeOptions options;
  private final SessionCache<Compiled> cache = new SessionCache<>();

  public GradientEngine(ModelProto model, Config config, RuntimeOptions options) {
    this.model = model;
    this.config = config;
    this.options = options;
  }

  private static String key(Map<String, long[]> shapes) {
    StringBuilder sb = new StringBuilder();
    shapes.forEach((k, v) -> sb.append(k).append('=').append(Arrays.toString(v)).append(';'));
    return sb.toString();
  }

  /** The compiled program and session for these input shapes (built on first use). */
  public Compiled compiled(Map<String, long[]> inputShapes) {
    return cache.get(key(inputShapes), () -> compile(inputShapes));
  }

  /**
   * The program for these input shapes as {@link #compiled} builds it (extension and fast form
   * applied), without an ONNX Runtime session: for writing the graph out.
   */
  public GradientProgram program(Map<String, long[]> inputShapes) {
    SeedHead head = new SeedHead(config.score(), config.contrast());
    head = config.gated() ? head : head.ungated();
    GradientProgram p = GradientProgram.build(model, inputShapes, config.program(), head);
    if (config.target()) {
      head.outputs().stream().filter(o -> config.targetValue() || !o.equals(SeedHead.TARGET)).forEach(p::addOutput);
    }
    if (config.returnTensors()) {
      for (LayerGradient l : p.layers()) {
        if (!p.isInput(l.activation())) {
          p.addOutput(l.activation());
        }
        if (l.gradient() != null) {
          p.addOutput(l.gradient());
        }
      }
    }
    if (config.returnModelOutput()) {
      p.addOutput(p.modelOutput());
    }
    if (config.extension() != null) {
      config.extension().extend(p);
    }
    if (!config.gated()) {
      // the seed itself: the run returns the array it was fed (Result)
      p.removeOutput(SeedHead.EFFECTIVE_SEED);
    }
    if (options.fastForm()) {
      FastForm.apply(p.builder(), p.outputs());
    }
    return p;
  }

  private Compiled compile(Map<String, long[]> inputShapes) {
    long t0 = System.nanoTime();
    ProgramCache disk = options.programCache() ? ProgramCache.configured() : null;
    ProgramCache.Key key = disk == null ? null : cacheKey(disk, inputShapes);
    if (key != null) {
      ProgramCache.Entry hit = disk.load(key);
      if (hit != null) {
        long t1 = System.nanoTime();
        try {
          OrtProgram session = OrtProgram.create(hit.model(), options, "the compiled gradient graph");
          return new Compiled(hit.info(), session, new CompileStats((t1 - t0) / 1e6,
              (System.nanoTime() - t1) / 1e6, hit.nodes(), "hit"));
        } catch (RuntimeException e) {
          disk.remove(key); // e.g. a damaged file: compiled again below
        }
      }
    }
    GradientProgram p = program(inputShapes);
    ModelProto compiled = p.toModel();
    byte[] bytes = compiled.toByteArray();
    long t1 = System.nanoTime();
    OrtProgram session = OrtProgram.create(bytes, options, "the compiled gradient graph");
    long t2 = System.nanoTime();
    int nodes = compiled.getGraph().getNodeCount();
    if (key != null) {
      disk.store(key, bytes, p.info(), nodes);
    }
    return new Compiled(p.info(), session, new CompileStats((t1 - t0) / 1e6, (t2 - t1) / 1e6, nodes,
        disk == null ? "off" : key == null ? "not cacheable" : "miss"));
  }

  /** The program's key in the disk cache, or null when it cannot be cached. */
  private ProgramCache.Key cacheKey(ProgramCache disk, Map<String, long[]> inputShapes) {
    String fingerprint = ModelIO.fingerprint(model);
    String description = config.description();
    if (fingerprint == null || description == null) {
      return null;
    }
    StringBuilder sb = new StringBuilder("model=").append(fingerprint).append(";fastForm=")
        .append(options.fastForm()).append(";inputs=").append(key(inputShapes)).append(';').append(description);
    return disk.key(sb.toString());
  }

  /** Forward + backward for one batch. */
  public Result run(Map<String, FloatTensor> inputs, Seed seed) {
    return run(inputs, seed, false);
  }

  /** Same; with {@code releaseMemory} the session's idle working memory is given back after the run. */
  public Result run(Map<String, FloatTensor> inputs, Seed seed, boolean releaseMemory) {
    return run(FloatTensor.shapesOf(inputs), inputs, seed, releaseMemory);
  }

  /**
   * Runs the program compiled for model input shapes {@code shapes} on {@code inputs}: the model
   * inputs, or for a program from the layer the tensors of {@link #feedShapes}. {@code seed} is
   * not read (may be null) when the program computes no target ({@link Config.Builder#withoutTarget}).
   */
  public Result run(Map<String, long[]> shapes, Map<String, FloatTensor> inputs, Seed seed, boolean releaseMemory) {
    Compiled c = compiled(shapes);
    long[] os = c.program.modelOutputShape();
    if (config.target() && !Arrays.equals(seed.weights().shape(), os)) {
      throw new Gradcam3dException("target seed has shape " + Shapes.format(seed.weights().shape())
          + " but the model output has " + Shapes.format(os));
    }
    Map<String, Object> feeds = new LinkedHashMap<>(inputs);
    if (inputs.size() == 1 && !c.session.inputNames().contains(inputs.keySet().iterator().next())) {
      // a single unnamed input goes to the model's single input
      feeds.clear();
      feeds.put(c.program.inputShapes().keySet().iterator().next(), inputs.values().iterator().next());
    }
    if (config.target()) {
      feeds.put(SeedHead.SEED, seed.weights());
      if (config.gated()) {
        feeds.put(SeedHead.GATE, seed.gate());
      } else {
        requireGateOff(seed);
      }
    }
    long t0 = System.nanoTime();
    Map<String, Object> out = c.session.run(feeds, c.program.outputs(), releaseMemory);
    double ms = (System.nanoTime() - t0) / 1e6;
    if (config.target() && !config.gated()) {
      out = new LinkedHashMap<>(out);
      out.put(SeedHead.EFFECTIVE_SEED, seed.weights());
    }
    return new Result(out, c.program.layers(), c.program.modelOutput(), ms, c.stats);
  }

  /** An ungated program runs only seeds whose gate is off everywhere. */
  private static void requireGateOff(Seed seed) {
    for (float g : seed.gate().data()) {
      if (g != 0) {
        throw new IllegalStateException("a target with the predicted-mask gate on was given to a program "
            + "compiled without the gate (Config.Builder#ungated)");
      }
    }
  }

  /** Shape of the model output the target reads, for these input shapes. */
  public long[] outputShape(Map<String, long[]> inputShapes) {
    return compiled(inputShapes).program.modelOutputShape();
  }

  /** The tensors (name, shape) a run of the program for these model input shapes is fed, besides the seed. */
  public Map<String, long[]> feedShapes(Map<String, long[]> inputShapes) {
    Map<String, long[]> feeds = new LinkedHashMap<>(compiled(inputShapes).session.inputShapes());
    feeds.remove(SeedHead.SEED);
    feeds.remove(SeedHead.GATE);
    return feeds;
  }

  @Override
  public void close() {
    cache.close();
  }
}
