package gradcam3d.cam.methods;

import gradcam3d.autodiff.GradientProgram;
import gradcam3d.autodiff.GradientProgram.LayerGradient;
import gradcam3d.autodiff.VjpRules;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.MethodFlow;
import gradcam3d.cam.Request;
import gradcam3d.cam.Resize;
import gradcam3d.cam.Target;
import gradcam3d.cam.TargetRegions;
import gradcam3d.graph.Graph;
import gradcam3d.graph.LayerSpec;
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

  FullGradFlow(ModelProto model, Request request, RuntimeOptions options) {
    Graph g = Graph.fromModel(model);
    String output = g.outputNames().get(Math.min(request.modelOutput(), g.outputNames().size() - 1));
    this.terms = biasTerms(g, output);
    List<LayerSpec> layers = new ArrayList<>();
    layers.add(LayerSpec.named(g.inputNames().get(0)));
    terms.forEach(t -> layers.add(LayerSpec.named(t.tensor())));
    GradientEngine.Config cfg = request.programAt(layers).tensors(false, false)
        .extension(p -> {
          appendMap(p);
          p.addOutput(SeedHead.EFFECTIVE_SEED);
        }, "fullgrad-map+effective-seed").build();
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
      boolean sameGrid = Arrays.equals(Arrays.copyOfRange(s, 2, s.length),
          Arrays.copyOfRange(inputShape, 2, inputShape.length));
      parts.add(sameGrid ? channelSum(b, t, spatialAxes) : resizedChannelSum(b, t, inputShape));
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

  /**
   * sum_c minmax(resize(t_c)) for t [B, C, *Sl] on a coarser grid than the input's, without
   * resizing any channel to the input grid: with t'_c = t_c - min(t_c) (exact on the layer's grid;
   * it keeps the division below free of cancellation), min-max after the resize is
   * (R(t'_c) - m_c) / r_c with m_c, r_c the minimum and range of R(t'_c), and R is linear, so the
   * sum is R(sum_c t'_c / r_c) - sum_c m_c / r_c: one channel resized per term. The extremes m_c
   * and m_c + r_c are those of R(t'_c) on a few output voxels ({@link #extremePositions}): within
   * one cell of the layer's grid the resize is multilinear in the per-axis fractions, so its
   * extremes over the cell's output voxels lie at each axis's smallest or largest fraction there.
   * A channel constant on the layer's grid counts 0 (the resize would round it into noise the
   * min-max inflates).
   */
  private static String resizedChannelSum(GraphBuilder b, String t, long[] inputShape) {
    long[] s = b.shape(t);
    int rank = s.length;
    long[] layerAxes = GraphBuilder.range(2, rank);
    String shifted = b.sub(t, b.reduce("ReduceMin", t, layerAxes, true));
    String varies = b.cast(b.op("Greater", b.reduce("ReduceMax", shifted, layerAxes, true), b.scalarLike(0, t)),
        b.type(t));
    // R(t') at the extreme positions only: one small MatMul per axis, the axis moved last
    String sampled = shifted;
    for (int axis = rank - 1; axis >= 2; axis--) {
      long[] perm = GraphBuilder.range(0, rank);
      perm[axis] = rank - 1;
      perm[rank - 1] = axis;
      String moved = axis == rank - 1 ? sampled : b.transpose(sampled, perm);
      float[][] w = extremePositions((int) s[axis], (int) inputShape[axis]);
      float[] flat = new float[w.length * w[0].length];
      for (int i = 0; i < w.length; i++) {
        System.arraycopy(w[i], 0, flat, i * w[0].length, w[0].length);
      }
      String matrix = b.cast(b.constFloats(flat, w.length, w[0].length), b.type(t));
      sampled = b.op("MatMul", moved, matrix);
    }
    String min = b.reduce("ReduceMin", sampled, layerAxes, true);
    String range = b.sub(b.reduce("ReduceMax", sampled, layerAxes, true), min);
    String positive = b.op("Greater", range, b.scalarLike(0, range));
    String inverse = b.mul(varies, b.where(positive, b.div(b.scalarLike(1, range), b.where(positive, range,
        b.scalarLike(1, range))), b.scalarLike(0, range)));
    String weighted = b.reduceSum(b.mul(shifted, inverse), new long[] {1}, true);
    String offset = b.reduceSum(b.mul(min, inverse), new long[] {1}, true);
    long[] one = s.clone();
    one[1] = 1;
    System.arraycopy(inputShape, 2, one, 2, inputShape.length - 2);
    return b.squeeze(b.sub(Resize.linear(b, weighted, one), offset), 1);
  }

  /**
   * The interpolation weights [in][k] of the output positions along one axis where a linear
   * resize from {@code in} to {@code out} samples (ONNX Resize, half_pixel, as ONNX Runtime and
   * PyTorch's align_corners=False compute it: source x = (o + 0.5) in / out - 0.5 clamped to
   * [0, in - 1], weights 1 - f and f on floor(x) and the next sample) can take its extremes: per
   * left neighbour floor(x), the positions of smallest and largest fraction f.
   */
  static float[][] extremePositions(int in, int out) {
    double scale = (double) out / in;
    java.util.TreeMap<Integer, double[]> cells = new java.util.TreeMap<>(); // left neighbour -> {min f, max f}
    for (int o = 0; o < out; o++) {
      double x = Math.max(0, Math.min((o + 0.5) / scale - 0.5, in - 1));
      int left = (int) Math.floor(x);
      double f = x - left;
      double[] range = cells.computeIfAbsent(left, k -> new double[] {f, f});
      range[0] = Math.min(range[0], f);
      range[1] = Math.max(range[1], f);
    }
    List<double[]> columns = new ArrayList<>();
    cells.forEach((left, range) -> {
      for (double f : range[0] == range[1] ? new double[] {range[0]} : range) {
        double[] col = new double[in];
        col[left] += 1 - f;
        col[Math.min(left + 1, in - 1)] += f;
        columns.add(col);
      }
    });
    float[][] w = new float[in][columns.size()];
    for (int j = 0; j < columns.size(); j++) {
      for (int i = 0; i < in; i++) {
        w[i][j] = (float) columns.get(j)[i];
      }
    }
    return w;
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
