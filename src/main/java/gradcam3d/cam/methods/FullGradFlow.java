package gradcam3d.cam.methods;

import gradcam3d.autodiff.GradientProgram;
import gradcam3d.autodiff.GradientProgram.LayerGradient;
import gradcam3d.autodiff.VjpRules;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.MethodFlow;
import gradcam3d.cam.Resize;
import gradcam3d.cam.Target;
import gradcam3d.cam.TargetRegions;
import gradcam3d.graph.Graph;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.Node;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.SeedHead;
import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link FullGrad}'s program: gradients at the model input and at the output of every
 * bias-carrying node in one backward pass, and the terms' arithmetic after it, so the host only
 * reads the map [B, *S] and each term's sum over space.
 */
final class FullGradFlow implements MethodFlow {
  /** The map [B, *S], under the names every exported explanation uses for its map before the min-max. */
  static final String MAP = "cam_layer_0";
  static final String RESIZED = "resized_0";
  static final String TERM_SUMS = "gc3d_fullgrad_term_sums";

  /** A bias-carrying node: its name, op type and output tensor, and how to read its bias. */
  record BiasTerm(Node node) {
    String tensor() {
      return node.output(0);
    }

    /** The bias [C] as a graph tensor. */
    String bias(GraphBuilder b) {
      if (!node.opType().equals("BatchNormalization")) {
        return node.input(2);
      }
      // B - mean * scale / sqrt(var + eps)
      String scale = node.input(1);
      String shift = node.input(2);
      String mean = node.input(3);
      String var = node.input(4);
      double eps = node.attrFloat("epsilon", 1e-5f);
      String std = b.op("Sqrt", b.add(var, b.scalarLike(eps, var)));
      return b.sub(shift, b.div(b.mul(mean, scale), std));
    }
  }

  private final List<BiasTerm> terms;
  private final GradientEngine engine;

  FullGradFlow(ModelProto model, Explainer.Request request, RuntimeOptions options) {
    Graph g = Graph.fromModel(model);
    String output = g.outputNames().get(Math.min(request.modelOutput(), g.outputNames().size() - 1));
    this.terms = biasTerms(g, output);
    List<String> layers = new ArrayList<>();
    layers.add(g.inputNames().get(0));
    terms.forEach(t -> layers.add(t.tensor()));
    GradientEngine.Config cfg = GradientEngine.Config.of(layers).withModelOutput(request.modelOutput())
        .withScore(request.score()).withTensors(false, false)
        .withExtension(p -> {
          appendMap(p);
          p.addOutput(SeedHead.EFFECTIVE_SEED);
        }, "fullgrad-map+effective-seed");
    this.engine = new GradientEngine(model, cfg, options);
  }

  /**
   * The Conv/ConvTranspose nodes with a bias and the BatchNormalization nodes whose output the
   * model output depends on (through differentiable ops), in graph order.
   */
  static List<BiasTerm> biasTerms(Graph g, String output) {
    Map<String, Node> producers = g.producers();
    Set<String> upstream = new HashSet<>();
    List<String> todo = new ArrayList<>(List.of(output));
    while (!todo.isEmpty()) {
      String t = todo.remove(todo.size() - 1);
      Node n = producers.get(t);
      if (n == null || !upstream.add(t) || VjpRules.NON_DIFFERENTIABLE.contains(n.opType())) {
        continue;
      }
      todo.addAll(n.inputs());
    }
    List<BiasTerm> out = new ArrayList<>();
    for (Node n : g.nodes()) {
      boolean conv = (n.opType().equals("Conv") || n.opType().equals("ConvTranspose")) && n.inputs().size() > 2
          && !n.input(2).isEmpty();
      boolean norm = n.opType().equals("BatchNormalization");
      if ((conv || norm) && n.domain().isEmpty() && upstream.contains(n.output(0))) {
        out.add(new BiasTerm(n));
      }
    }
    return out;
  }

  /** Whether a layer's gradient has the input's spatial axes (else its term is skipped: Conv1d in a 3D net). */
  private static boolean spatialLike(long[] layerShape, long[] inputShape) {
    return layerShape.length == inputShape.length;
  }

  /** The map, and each term's sum over space [1 + terms, B], as program outputs. */
  private void appendMap(GradientProgram p) {
    GraphBuilder b = p.builder();
    LayerGradient in = p.layers().get(0);
    long[] inputShape = b.shape(in.activation());
    long[] spatialAxes = GraphBuilder.range(2, inputShape.length);
    List<String> parts = new ArrayList<>();
    parts.add(channelSum(b, b.op("Abs", b.mul(in.activation(), in.gradient())), spatialAxes));
    for (int i = 1; i < p.layers().size(); i++) {
      LayerGradient l = p.layers().get(i);
      long[] s = b.shape(l.gradient());
      if (!spatialLike(s, inputShape)) {
        continue;
      }
      long[] biasShape = new long[s.length];
      Arrays.fill(biasShape, 1);
      biasShape[1] = s[1];
      String bias = b.reshape(b.cast(terms.get(i - 1).bias(b), b.type(l.gradient())), biasShape);
      String t = b.op("Abs", b.mul(l.gradient(), bias));
      if (!Arrays.equals(Arrays.copyOfRange(s, 2, s.length), Arrays.copyOfRange(inputShape, 2, inputShape.length))) {
        // a channel constant on the layer's grid is 0; the resize would round it into noise the min-max inflates
        String varies = b.cast(b.op("Greater", range(b, t, GraphBuilder.range(2, s.length)), b.scalarLike(0, t)),
            b.type(t));
        long[] sizes = s.clone();
        System.arraycopy(inputShape, 2, sizes, 2, inputShape.length - 2);
        t = b.mul(Resize.linear(b, t, sizes), varies);
      }
      parts.add(channelSum(b, t, spatialAxes));
    }
    String map = b.sum(parts);
    b.opNamed("Identity", List.of(map), List.of(MAP));
    b.opNamed("Identity", List.of(map), List.of(RESIZED));
    List<String> sums = new ArrayList<>();
    for (String part : parts) {
      sums.add(b.unsqueeze(b.reduceSum(part, GraphBuilder.range(1, inputShape.length - 1), false), 0));
    }
    b.opNamed("Identity", List.of(b.concat(sums, 0)), List.of(TERM_SUMS));
    p.addOutput(MAP);
    p.addOutput(RESIZED);
    p.addOutput(TERM_SUMS);
  }

  /** sum over channels of t [B, C, *S] min-maxed per sample and channel (a constant channel: 0). */
  private static String channelSum(GraphBuilder b, String t, long[] spatialAxes) {
    String min = b.reduce("ReduceMin", t, spatialAxes, true);
    String range = range(b, t, spatialAxes);
    // a constant channel has t == min everywhere: dividing its zeros by 1 keeps it 0
    String safe = b.where(b.op("Greater", range, b.scalarLike(0, range)), range, b.scalarLike(1, range));
    return b.reduceSum(b.div(b.sub(t, min), safe), new long[] {1}, false);
  }

  /** max - min over the spatial axes, [B, C, 1, ...]. */
  private static String range(GraphBuilder b, String t, long[] spatialAxes) {
    return b.sub(b.reduce("ReduceMax", t, spatialAxes, true), b.reduce("ReduceMin", t, spatialAxes, true));
  }

  @Override
  public GradientEngine engine() {
    return engine;
  }

  @Override
  public Explanation explainResized(Map<String, long[]> shapes, Map<String, FloatTensor> inputs, List<Target> targets,
      boolean releaseMemory) {
    long[] os = engine.outputShape(shapes);
    GradientEngine.Result r = engine.run(shapes, inputs, Target.seed(targets, os), releaseMemory);
    List<Target> perSample = TargetRegions.perSample(targets, os[0]);
    TargetRegions.check(r, perSample, os);
    long t0 = System.nanoTime();
    FloatTensor map = r.floats(MAP);
    LayerGradient in = r.layers().get(0);
    Explanation.LayerMap layer = new Explanation.LayerMap(in.layer(), in.shape(), map, map, null, null, null, null);
    List<String> names = new ArrayList<>(List.of("input"));
    for (int i = 1; i < r.layers().size(); i++) {
      if (spatialLike(r.layers().get(i).shape(), in.shape())) {
        names.add(terms.get(i - 1).node().name() + " (" + terms.get(i - 1).node().opType() + ")");
      }
    }
    FloatTensor sums = r.floats(TERM_SUMS);
    int batch = (int) os[0];
    List<List<Double>> perTerm = new ArrayList<>();
    for (int k = 0; k < names.size(); k++) {
      List<Double> row = new ArrayList<>();
      for (int b = 0; b < batch; b++) {
        row.add((double) sums.data()[k * batch + b]);
      }
      perTerm.add(row);
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("terms", names);
    summary.put("term_sums", perTerm);
    return TargetRegions.explanation(r, perSample, os, List.of(layer), (System.nanoTime() - t0) / 1e6, null,
        new Explanation.Extras(Map.of(), summary));
  }

  @Override
  public void close() {
    engine.close();
  }
}
