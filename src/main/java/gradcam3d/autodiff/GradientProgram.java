package gradcam3d.autodiff;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.graph.Cut;
import gradcam3d.graph.Graph;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.LayerResolver;
import gradcam3d.graph.LayerResolver.Layer;
import gradcam3d.graph.LayerSpec;
import gradcam3d.graph.ModuleIndex;
import gradcam3d.graph.Specialization;
import gradcam3d.graph.TensorInfo;
import gradcam3d.graph.TokenView;
import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One compiled gradient graph: the model specialised to fixed input shapes, a scalar head given
 * by the caller ({@link ScalarHead}: what T is, e.g. a seeded sum of class scores), and the
 * reverse-mode gradient of T with respect to the chosen layers, all in standard ONNX ops.
 * Outputs are what callers add ({@link #addOutput}).
 *
 * <p>From the layer ({@link GradientSpec#fromLayer}): only the part of the model after the layer's
 * {@link Cut} is kept; the program's inputs are the layer's activation and the boundary tensors
 * the downstream part reads (skip connections), with the names and shapes they have in the
 * specialised model, so a forward program of the same model and input shapes can output exactly
 * what this one is fed. The gradient is taken with respect to the activation input.
 */
public final class GradientProgram {
  /** A chosen layer with its activation tensor, gradient tensor (null without gradients) and shape. */
  public record LayerGradient(Layer layer, String activation, String gradient, long[] shape) {}

  /** What reading a compiled program's outputs needs: its layers, model output, inputs and outputs. */
  public record Info(List<LayerGradient> layers, String modelOutput, long[] modelOutputShape,
      Map<String, long[]> inputShapes, List<String> outputs) {}

  /**
   * Why a program cannot start at its layer; the caller runs it from the model input instead. The
   * cases: several distinct layer tensors, a token layer seen as a volume, a layer that is a model
   * input or that no node reads, a boundary tensor that is not float or has no batch axis.
   */
  public static final class NoCut extends Gradcam3dException {
    public NoCut(String message) {
      super(message);
    }
  }

  private final GraphBuilder b;
  private final List<LayerGradient> layers;
  private final String modelOutput;
  private final Map<String, long[]> modelInputShapes;
  private final Map<String, long[]> inputShapes;
  private final Set<String> outputs = new LinkedHashSet<>();

  private final List<TokenView> views;
  private final List<String> rawGradients;

  private GradientProgram(GraphBuilder b, List<LayerGradient> layers, String modelOutput,
      Map<String, long[]> modelInputShapes, Map<String, long[]> inputShapes, List<TokenView> views,
      List<String> rawGradients) {
    this.b = b;
    this.layers = layers;
    this.modelOutput = modelOutput;
    this.modelInputShapes = modelInputShapes;
    this.inputShapes = inputShapes;
    this.views = views;
    this.rawGradients = rawGradients;
  }

  /**
   * Builds, for the model inputs of shapes {@code inputShapes}, the forward graph, the caller's
   * head and the backward graph of its scalar.
   */
  public static GradientProgram build(ModelProto model, Map<String, long[]> inputShapes, GradientSpec spec,
      ScalarHead head) {
    Graph g = Graph.fromModel(model);
    LayerResolver resolver = new LayerResolver(g, ModuleIndex.of(g));
    List<Layer> resolved = new ArrayList<>();
    for (LayerSpec l : spec.layers()) {
      resolved.add(resolver.resolve(l));
    }
    Specialization sp = Specialization.of(g, Map.copyOf(inputShapes));
    g = sp.graph();
    Map<String, TensorInfo> info = sp.info();
    Map<String, long[]> shapes = sp.inputShapes();
    List<String> outs = g.outputNames();
    if (spec.modelOutput() < 0 || spec.modelOutput() >= outs.size()) {
      throw new Gradcam3dException("the model has " + outs.size() + " output" + (outs.size() == 1 ? "" : "s")
          + " (" + String.join(", ", outs) + "); " + Setting.MODEL_OUTPUT.label() + " " + spec.modelOutput()
          + " does not exist");
    }
    String output = outs.get(spec.modelOutput());
    GraphBuilder b = new GraphBuilder(g, info, "gc3d/");
    long[] os = b.info(output).shape();
    if (!Shapes.isKnown(os) || os.length < 2) {
      throw new Gradcam3dException("model output '" + output + "' has shape " + Shapes.format(os)
          + "; a target needs a known shape [batch, classes, ...]");
    }
    for (Layer l : resolved) {
      TensorInfo t = info.get(l.tensor());
      if (t == null || !t.isFloating() || !t.hasKnownShape()) {
        throw new Gradcam3dException("layer '" + l.label() + "' (tensor '" + l.tensor() + "') has no "
            + "known floating-point shape (" + (t == null ? "not computed" : t) + ")"
            + (t != null && t.isFloating() ? "; " + gradcam3d.graph.ShapeInference.whyUnknown(g, info, l.tensor()) : ""));
      }
    }
    List<String> wrt = new ArrayList<>();
    for (Layer l : resolved) {
      if (!wrt.contains(l.tensor())) {
        wrt.add(l.tensor());
      }
    }
    // bound to the whole model: an override may depend on nodes before a cut (LRP's first layer)
    BackwardRules.Bound rules = spec.gradients() ? spec.rules().bind(b) : null;
    Map<String, long[]> programInputs = shapes;
    if (spec.fromLayer()) {
      programInputs = cutAt(g, info, wrt, resolved, output, shapes);
    }
    String target = head.append(b, output, os);
    Map<String, String> grads = spec.gradients() ? backward(b, target, output, wrt, rules) : Map.of();
    List<LayerGradient> lg = new ArrayList<>();
    List<TokenView> views = new ArrayList<>();
    List<String> rawGradients = new ArrayList<>();
    long[] volume = largestInput(shapes);
    int spatialAxes = volume.length - 2;
    for (int i = 0; i < resolved.size(); i++) {
      Layer l = resolved.get(i);
      long[] s = b.shape(l.tensor());
      TokenView view = null;
      // a token grid given for a layer that is already a volume is not needed there
      if (TokenView.isTokenShape(s, spatialAxes) && !shapes.containsKey(l.tensor())) {
        view = TokenView.of(l.label(), s, volume[0], spec.layers().get(i).tokenGrid(), g, info,
            spatialAxes);
      }
      String grad = grads.get(l.tensor());
      views.add(view);
      rawGradients.add(grad);
      lg.add(view == null ? new LayerGradient(l, l.tensor(), grad, s)
          // the CAM methods see the tokens as the volume they cover
          : new LayerGradient(l, view.apply(b, l.tensor()), grad == null ? null : view.apply(b, grad),
              view.viewShape(s)));
    }
    return new GradientProgram(b, lg, output, shapes, programInputs, views, rawGradients);
  }

  /**
   * dT/d(wrt) by the rule set; when the rule set starts the model's part of the sweep from its own
   * cotangent at the model output (LRP's relevance), the head is differentiated exactly first.
   */
  private static Map<String, String> backward(GraphBuilder b, String target, String output, List<String> wrt,
      BackwardRules.Bound rules) {
    String one = b.scalarLike(1, target);
    if (!rules.startsAtOutput()) {
      return Backprop.gradients(b, target, one, wrt, rules);
    }
    String seed = Backprop.gradients(b, target, one, List.of(output), BackwardRules.EXACT).get(output);
    return Backprop.gradients(b, output, rules.outputCotangent(b, output, seed), wrt, rules);
  }

  /**
   * Keeps only the part of {@code g} after the layer's cut and makes the layer's activation and
   * the boundary tensors the graph's inputs; returns their shapes (activation first).
   */
  private static Map<String, long[]> cutAt(Graph g, Map<String, TensorInfo> info, List<String> wrt,
      List<Layer> resolved, String output, Map<String, long[]> modelInputs) {
    if (wrt.size() != 1) {
      throw new NoCut("several layers have different cuts");
    }
    String layer = wrt.get(0);
    long volumeAxes = largestInput(modelInputs).length;
    if (modelInputs.containsKey(layer)) {
      throw new NoCut("the layer is a model input");
    }
    if (TokenView.isTokenShape(info.get(layer).shape(), (int) volumeAxes - 2)) {
      throw new NoCut("layer '" + resolved.get(0).label() + "' is a token layer");
    }
    Cut cut = Cut.of(g, layer);
    if (cut.downstream().stream().noneMatch(n -> n.outputs().contains(output))) {
      throw new NoCut("the model output does not follow the layer");
    }
    Map<String, long[]> inputs = new LinkedHashMap<>();
    List<String> fed = new ArrayList<>();
    fed.add(layer);
    fed.addAll(cut.boundary());
    for (String t : fed) {
      TensorInfo ti = info.get(t);
      if (ti == null || ti.type() != DataTypes.FLOAT || !ti.hasKnownShape() || ti.shape().length == 0
          || ti.shape()[0] != largestInput(modelInputs)[0]) {
        throw new NoCut("tensor '" + t + "' crossing the cut is not a float tensor with a batch axis ("
            + (ti == null ? "no shape" : ti) + ")");
      }
      inputs.put(t, ti.shape());
    }
    g.nodes().clear();
    g.nodes().addAll(cut.downstream());
    g.inputs().clear();
    inputs.forEach((t, s) -> g.inputs().add(Graph.valueInfo(t, DataTypes.FLOAT, s)));
    return inputs;
  }

  /** The shape of the model input of highest rank: the volume [B, C, *spatial]. */
  private static long[] largestInput(Map<String, long[]> inputShapes) {
    long[] best = new long[0];
    for (long[] s : inputShapes.values()) {
      if (s.length > best.length) {
        best = s;
      }
    }
    return best;
  }

  public GraphBuilder builder() {
    return b;
  }

  /**
   * The Hessian-vector product H A of layer i: d/dA of (dT/dA . A) with the second A held fixed,
   * i.e. PyTorch's {@code torch.autograd.grad(G, A, grad_outputs=A)} for G = dT/dA made with
   * create_graph, by differentiating the program's gradient graph a second time with exact rules
   * (other paths to T held fixed). Exactly zero when the gradient does not depend on A
   * (piecewise-linear layers between A and a logit target). Of a token layer, on its volume view:
   * the product is taken on the tokens with the view's transpose of the viewed activation, then viewed.
   */
  public String hessianTimesActivation(int i) {
    String raw = layers.get(i).layer().tensor();
    String gradient = rawGradients.get(i);
    if (gradient == null) {
      throw new IllegalStateException("the program has no gradients to differentiate again");
    }
    TokenView view = views.get(i);
    if (view == null) {
      return Backprop.vjp(b, gradient, raw, raw);
    }
    String viewed = layers.get(i).activation();
    String cotangent = Backprop.vjp(b, viewed, viewed, raw);
    return view.apply(b, Backprop.vjp(b, gradient, cotangent, raw));
  }

  public List<LayerGradient> layers() {
    return layers;
  }

  public String modelOutput() {
    return modelOutput;
  }

  public long[] modelOutputShape() {
    return b.shape(modelOutput);
  }

  /** The shapes of the program's inputs: the model inputs, or from the layer the cut's tensors. */
  public Map<String, long[]> inputShapes() {
    return inputShapes;
  }

  public Info info() {
    return new Info(layers, modelOutput, modelOutputShape(), inputShapes, outputs());
  }

  /** The model input shapes the program was specialised to (the same as the inputs unless from the layer). */
  public Map<String, long[]> modelInputShapes() {
    return modelInputShapes;
  }

  /** Whether tensor {@code name} is fed to the program rather than computed by it. */
  public boolean isInput(String name) {
    return inputShapes.containsKey(name);
  }

  /** Marks a tensor as a graph output. */
  public void addOutput(String tensor) {
    outputs.add(tensor);
  }

  /** Unmarks a graph output (nothing happens when it is not one). */
  public void removeOutput(String tensor) {
    outputs.remove(tensor);
  }

  public List<String> outputs() {
    return new ArrayList<>(outputs);
  }

  /** The finished model: requested outputs, unused nodes pruned, nodes sorted. */
  public ModelProto toModel() {
    Graph g = b.graph();
    g.outputs().clear();
    for (String o : outputs) {
      TensorInfo t = b.info(o);
      g.outputs().add(Graph.valueInfo(o, t.type(), t.shape()));
    }
    g.prune();
    // an input only pruned nodes read is not fed: from the layer, a boundary tensor; a head's
    // input (the seed) whose outputs were not asked for. The model inputs are always fed.
    Set<String> read = new java.util.HashSet<>(outputs);
    g.nodes().forEach(n -> read.addAll(n.inputs()));
    boolean fromLayer = inputShapes != modelInputShapes;
    g.inputs().removeIf(v -> !read.contains(v.getName()) && (fromLayer || !modelInputShapes.containsKey(v.getName())));
    g.sortTopologically();
    return g.toModel();
  }
}
