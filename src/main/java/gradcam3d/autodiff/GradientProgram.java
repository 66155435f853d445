package gradcam3d.autodiff;

import gradcam3d.Gradcam3dException;
import gradcam3d.graph.Graph;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.LayerResolver;
import gradcam3d.graph.LayerResolver.Layer;
import gradcam3d.graph.ModuleIndex;
import gradcam3d.graph.Specialization;
import gradcam3d.graph.TensorInfo;
import gradcam3d.onnx.Attributes;
import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One compiled explanation graph: the model specialised to fixed input shapes, a target head
 * T = sum(seed_eff * score(output)) whose seed is fed at run time, and the reverse-mode gradient
 * of T with respect to the chosen layers, all in standard ONNX ops.
 *
 * <p>Run-time inputs besides the model's: {@value #SEED} [B, K, *S] float (per-class, per-voxel
 * weights) and {@value #GATE} [B, K] float: where 1, the seed of class k is further multiplied by
 * the model's own predicted mask of k (argmax over classes), so "class k where the model predicts
 * k" needs one run. Outputs: {@value #TARGET} [B] (T per sample) and {@value #REGION} [B, K]
 * (voxels with a non-zero effective seed), {@value #PREDICTED} [B, K] (voxels the model predicts
 * as each class), plus what callers add, e.g. {@value #EFFECTIVE_SEED} (the seed after gating).
 */
public final class GradientProgram {
  public static final String SEED = "gc3d_seed";
  public static final String GATE = "gc3d_gate";
  public static final String TARGET = "gc3d_target";
  public static final String REGION = "gc3d_region_voxels";
  public static final String PREDICTED = "gc3d_predicted_voxels";
  public static final String EFFECTIVE_SEED = "gc3d_effective_seed";

  /** A chosen layer with its activation tensor, gradient tensor (null without gradients) and shape. */
  public record LayerGradient(Layer layer, String activation, String gradient, long[] shape) {}

  private final GraphBuilder b;
  private final List<LayerGradient> layers;
  private final String modelOutput;
  private final Map<String, long[]> inputShapes;
  private final Set<String> outputs = new LinkedHashSet<>();

  private GradientProgram(GraphBuilder b, List<LayerGradient> layers, String modelOutput,
      Map<String, long[]> inputShapes) {
    this.b = b;
    this.layers = layers;
    this.modelOutput = modelOutput;
    this.inputShapes = inputShapes;
  }

  /** Builds the forward + target + backward graph. */
  public static GradientProgram build(ModelProto model, GradientSpec spec) {
    Graph g = Graph.fromModel(model);
    LayerResolver resolver = new LayerResolver(g, ModuleIndex.of(g));
    List<Layer> resolved = new ArrayList<>();
    for (String l : spec.layers()) {
      resolved.add(resolver.resolve(l));
    }
    Specialization sp = Specialization.of(g, spec.inputShapes());
    g = sp.graph();
    Map<String, TensorInfo> info = sp.info();
    Map<String, long[]> shapes = sp.inputShapes();
    List<String> outs = g.outputNames();
    if (spec.modelOutput() < 0 || spec.modelOutput() >= outs.size()) {
      throw new Gradcam3dException("the model has " + outs.size() + " output" + (outs.size() == 1 ? "" : "s")
          + " (" + String.join(", ", outs) + "); --model-output " + spec.modelOutput() + " does not exist");
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
            + "known floating-point shape (" + (t == null ? "not computed" : t) + ")");
      }
    }
    String target = targetHead(b, output, os, spec.score());
    List<String> wrt = new ArrayList<>();
    for (Layer l : resolved) {
      if (!wrt.contains(l.tensor())) {
        wrt.add(l.tensor());
      }
    }
    Map<String, String> grads = spec.gradients()
        ? Backprop.gradients(b, target, b.scalarLike(1, target), wrt, spec.rules()) : Map.of();
    List<LayerGradient> lg = new ArrayList<>();
    for (Layer l : resolved) {
      lg.add(new LayerGradient(l, l.tensor(), grads.get(l.tensor()), b.shape(l.tensor())));
    }
    GradientProgram p = new GradientProgram(b, lg, output, shapes);
    p.outputs.add(TARGET);
    p.outputs.add(REGION);
    p.outputs.add(PREDICTED);
    return p;
  }

  /** Appends the target head; returns the scalar T. */
  private static String targetHead(GraphBuilder b, String output, long[] os, GradientSpec.Score score) {
    int r = os.length;
    long batch = os[0];
    long classes = os[1];
    String out = b.cast(output, DataTypes.FLOAT);
    String scored = scored(b, out, score);
    String seed = b.input(SEED, DataTypes.FLOAT, os);
    String gate = b.input(GATE, DataTypes.FLOAT, new long[] {batch, classes});
    long[] bk = new long[r];
    java.util.Arrays.fill(bk, 1);
    bk[0] = batch;
    bk[1] = classes;
    // predicted one-hot: argmax over classes == k
    String argmax = b.op("ArgMax", out, Attributes.of("axis", 1L), Attributes.of("keepdims", 1L));
    long[] classIds = new long[(int) classes];
    for (int k = 0; k < classes; k++) {
      classIds[k] = k;
    }
    long[] ks = new long[r];
    java.util.Arrays.fill(ks, 1);
    ks[1] = classes;
    String ids = b.reshape(b.constLongs(classIds), ks);
    String predicted = b.cast(b.op("Equal", argmax, ids), DataTypes.FLOAT);
    String gateB = b.reshape(gate, bk);
    String factor = b.add(b.mul(gateB, predicted), b.sub(b.scalar(1), gateB));
    String effective = b.mul(seed, factor);
    b.opNamed("Identity", List.of(effective), List.of(EFFECTIVE_SEED));
    b.opNamed("Identity", List.of(r > 2 ? b.reduceSum(predicted, GraphBuilder.range(2, r), false) : predicted),
        List.of(PREDICTED));
    long[] rest = GraphBuilder.range(1, r);
    String perSample = b.reduceSum(b.mul(effective, scored), rest, false);
    b.opNamed("Identity", List.of(perSample), List.of(TARGET));
    String nonzero = b.cast(b.op("Greater", b.op("Abs", effective), b.scalar(0)), DataTypes.FLOAT);
    String counts = b.reduceSum(nonzero, GraphBuilder.range(2, r), false);
    b.opNamed("Identity", List.of(counts), List.of(REGION));
    return b.reduceSum(perSample, new long[] {0}, false);
  }

  /** The scores a target sums: the output itself, or softmax over classes (sigmoid for one). */
  public static String scored(GraphBuilder b, String output, GradientSpec.Score score) {
    String out = b.cast(output, DataTypes.FLOAT);
    if (score == GradientSpec.Score.LOGITS) {
      return out;
    }
    return b.shape(out)[1] == 1 ? b.op("Sigmoid", out) : b.op("Softmax", out, Attributes.of("axis", 1L));
  }

  public GraphBuilder builder() {
    return b;
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

  public Map<String, long[]> inputShapes() {
    return inputShapes;
  }

  /** Marks a tensor as a graph output. */
  public void addOutput(String tensor) {
    outputs.add(tensor);
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
    g.sortTopologically();
    return g.toModel();
  }
}
