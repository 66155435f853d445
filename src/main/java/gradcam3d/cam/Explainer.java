package gradcam3d.cam;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.autodiff.GradientProgram;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.Score;
import gradcam3d.runtime.SeedHead;
import gradcam3d.tensor.FloatTensor;
import java.util.List;
import java.util.Map;

/**
 * Explains a model with one method at one or more layers for given targets. The method's kind
 * carries the strategy ({@link CamMethod#open}): gradient methods run as one compiled graph
 * (forward, backward, CAM arithmetic and the resize to the input grid; {@link InGraphFlow}); the
 * eigen methods finish on the host ({@link OnHostFlow}: an exact eigen-decomposition; only
 * {@link #compiledGraph} puts an iterative one in the graph); Score-CAM and Ablation-CAM add
 * batched forward passes ({@link PerturbationFlow}); input-space methods attribute to the input
 * ({@link InputSpaceFlow}), occlusion scores occluded copies ({@link OcclusionFlow}); FullGrad
 * and Deep Feature Factorization bring their own flow ({@link CamMethod.OwnFlow}). Each reports
 * through {@link TargetRegions}. This class checks the inputs and hands over. The stages are
 * separate: {@link #explainResized} gives maps on the input grid before normalisation
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

  private final Request request;
  /** The method's own strategy: its programs, and how their results become maps. */
  private final MethodFlow flow;

  public Explainer(ModelProto model, Request request, RuntimeOptions options) {
    this(request, request.method().open(model, request, options));
  }

  /**
   * An explainer whose program starts at the (single) layer: {@link #explainResized(Map, Map, List,
   * boolean)} is fed the tensors crossing the layer's cut ({@link #feedShapes}) rather than the
   * model input, and computes the same maps from them. For the gradient methods computed in the
   * graph or on the host; fails with {@link GradientProgram.NoCut} for the others, and when
   * compiling finds that the model cannot be cut there.
   */
  public static Explainer fromLayer(ModelProto model, Request request, RuntimeOptions options) {
    return new Explainer(request, request.method().openFromLayer(model, request, options));
  }

  private Explainer(Request request, MethodFlow flow) {
    this.request = request;
    this.flow = flow;
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
    return flow.explainResized(shapes, inputs, targets, releaseMemory);
  }

  /** Shape of the model output the target reads, for these input shapes. */
  public long[] outputShape(Map<String, long[]> shapes) {
    return flow.engine().outputShape(shapes);
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
    return flow.compiledGraph(shapes);
  }

  /** Fails for methods that are not one compiled graph ({@link CamMethod#notOneGraph}). */
  public static void requireOneGraph(CamMethod m) {
    String why = m.notOneGraph();
    if (why != null) {
      throw new Gradcam3dException(Setting.EXPORT_GRAPH, Setting.EXPORT_GRAPH.label() + ": " + m.name()
          + " is not one graph (" + why + ")");
    }
  }

  /** The tensors {@link #explainResized(Map, Map, List, boolean)} is fed for these model input shapes. */
  public Map<String, long[]> feedShapes(Map<String, long[]> shapes) {
    return flow.engine().feedShapes(shapes);
  }

  /** Compile and session timings for an input shape (compiles on first use). */
  public GradientEngine.CompileStats prepare(Map<String, long[]> shapes) {
    return flow.engine().compiled(shapes).stats();
  }

  @Override
  public void close() {
    flow.close();
  }
}
