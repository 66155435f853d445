package gradcam3d.cam;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.graph.Graph;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.Cut;
import gradcam3d.graph.Specialization;
import gradcam3d.onnx.Attributes;
import gradcam3d.onnx.DataTypes;
import gradcam3d.optimize.FastForm;
import gradcam3d.runtime.OrtProgram;
import gradcam3d.runtime.Score;
import gradcam3d.runtime.SeedHead;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.SessionCache;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.LongTensor;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the extra forward passes of Score-CAM and Ablation-CAM in batches of {@code batchSize}
 * perturbations (never more than the layer has channels; the memory a batch needs is estimated
 * from the specialised graph before ONNX Runtime allocates it). Each is one compiled program per layer:
 * <ul>
 *   <li>Score-CAM: the sample's input times k layer channels (resized and min-max normalised in
 *       the graph), through the whole model, scored by the fixed effective seed;</li>
 *   <li>Ablation-CAM: only the part of the network after the layer, fed the layer's activation
 *       with one channel zeroed per batch element and the tensors that cross the cut (skip
 *       connections) from the unperturbed pass.</li>
 * </ul>
 */
final class PerturbationRunner implements Perturber, AutoCloseable {
  /** The unperturbed pass of one batch. */
  record Batch(FloatTensor input, List<FloatTensor> activations, FloatTensor effectiveSeed,
      FloatTensor targets, Map<String, FloatTensor> boundaries) {}

  private final Graph model;
  private final String inputName;
  private final List<String> layerTensors;
  private final int modelOutput;
  private final Score score;
  private final int batchSize;
  private final RuntimeOptions options;
  private final Progress progress;
  private final SessionCache<OrtProgram> programs = new SessionCache<>();
  private final Map<String, List<String>> boundaryNames = new HashMap<>();
  private Batch batch;

  PerturbationRunner(Graph model, List<String> layerTensors, int modelOutput, Score score,
      int batchSize, RuntimeOptions options, Progress progress) {
    if (model.inputs().size() != 1) {
      throw new Gradcam3dException("Score-CAM and Ablation-CAM need a model with one input; this one has "
          + model.inputs().size());
    }
    this.model = model;
    this.inputName = model.inputs().get(0).getName();
    this.layerTensors = layerTensors;
    this.modelOutput = modelOutput;
    this.score = score;
    this.batchSize = batchSize;
    this.options = options;
    this.progress = progress;
  }

  void setBatch(Batch b) {
    this.batch = b;
  }

  @Override
  public int batch() {
    return (int) batch.input().dim(0);
  }

  @Override
  public int channels(int layer) {
    return (int) batch.activations().get(layer).dim(1);
  }

  @Override
  public double target(int sample) {
    return batch.targets().data()[sample];
  }

  private long[] sampleShape(FloatTensor t) {
    long[] s = t.shape();
    s[0] = 1;
    return s;
  }

  /** Perturbations per pass for a layer: the requested batch, capped at the layer's channels. */
  private int perPass(int layer) {
    return Math.min(batchSize, channels(layer));
  }

  private static long[] kShape(FloatTensor t, int k) {
    long[] s = t.shape();
    s[0] = k;
    return s;
  }

  /** Feeds of one batch of perturbations, channels start .. start + batchSize - 1. */
  private interface ChunkFeeds {
    Map<String, Object> feeds(int start);
  }

  /** Runs a program over all channels in batches, reporting progress; one score per channel. */
  private double[] scoreChannels(OrtProgram p, String task, int channels, int batchSize, ChunkFeeds chunk) {
    double[] scores = new double[channels];
    progress.start(task, channels);
    for (int start = 0; start < channels; start += batchSize) {
      float[] s = ((FloatTensor) p.run(chunk.feeds(start), List.of("scores")).get("scores")).data();
      int n = Math.min(batchSize, channels - start);
      for (int j = 0; j < n; j++) {
        scores[start + j] = s[j];
      }
      progress.advance(n);
    }
    progress.finish();
    return scores;
  }

  /** Feeds every program of a sample takes: its activation and the fixed effective seed. */
  private Map<String, Object> commonFeeds(FloatTensor a, int sample) {
    Map<String, Object> feeds = new LinkedHashMap<>();
    feeds.put("activation", a.slice0(sample).reshape(sampleShape(a)));
    feeds.put("seed", batch.effectiveSeed().slice0(sample).reshape(sampleShape(batch.effectiveSeed())));
    return feeds;
  }

  @Override
  public double[] maskedInputScores(int layer, int sample) {
    FloatTensor a = batch.activations().get(layer);
    OrtProgram p = programs.get("score" + layer + Arrays.toString(a.shape()), () -> scoreProgram(layer));
    int c = channels(layer);
    int batchSize = perPass(layer);
    return scoreChannels(p, "Score-CAM, layer " + layer + ", sample " + sample, c, batchSize, start -> {
      long[] idx = new long[batchSize];
      for (int j = 0; j < batchSize; j++) {
        idx[j] = Math.min(start + j, c - 1);
      }
      Map<String, Object> feeds = commonFeeds(a, sample);
      feeds.put("sample", batch.input().slice0(sample).reshape(sampleShape(batch.input())));
      feeds.put("channels", new LongTensor(idx, batchSize));
      return feeds;
    });
  }

  @Override
  public double[] ablatedScores(int layer, int sample) {
    FloatTensor a = batch.activations().get(layer);
    OrtProgram p = programs.get("ablate" + layer + Arrays.toString(a.shape()), () -> ablationProgram(layer));
    int c = channels(layer);
    List<String> names = boundaryNames.get("ablate" + layer);
    int batchSize = perPass(layer);
    return scoreChannels(p, "Ablation-CAM, layer " + layer + ", sample " + sample, c, batchSize, start -> {
      float[] keep = new float[batchSize * c];
      Arrays.fill(keep, 1f);
      for (int j = 0; j < batchSize && start + j < c; j++) {
        keep[j * c + start + j] = 0f;
      }
      Map<String, Object> feeds = commonFeeds(a, sample);
      feeds.put("keep", new FloatTensor(keep, keepShape(a, batchSize)));
      for (int i = 0; i < names.size(); i++) {
        FloatTensor v = names.get(i).equals(inputName) ? batch.input() : batch.boundaries().get(names.get(i));
        feeds.put("boundary_" + i, v.slice0(sample).reshape(sampleShape(v)));
      }
      return feeds;
    });
  }

  /** Appends the per-element target: sum over classes and voxels of score(output) * seed. */
  private String scoreHead(GraphBuilder b, Graph g, FloatTensor seed) {
    String out = g.outputNames().get(modelOutput);
    String scored = SeedHead.scored(b, out, score);
    String s = b.input("seed", DataTypes.FLOAT, sampleShape(seed));
    return b.reduceSum(b.mul(scored, s), GraphBuilder.range(1, b.rank(scored)), false);
  }

  private OrtProgram finish(GraphBuilder b, Graph g, String scores) {
    b.opNamed("Identity", List.of(scores), List.of("scores"));
    g.outputs().clear();
    g.outputs().add(Graph.valueInfo("scores", DataTypes.FLOAT, b.shape("scores")));
    if (options.fastForm()) {
      FastForm.apply(b);
    }
    g.prune();
    g.sortTopologically();
    return OrtProgram.create(g.toModel(), options, "the perturbation graph");
  }

  private OrtProgram scoreProgram(int layer) {
    FloatTensor x = batch.input();
    FloatTensor a = batch.activations().get(layer);
    int batchSize = perPass(layer);
    Specialization sp = specialised(x, batchSize);
    Graph g = sp.graph();
    GraphBuilder b = sp.builder("score/");
    g.inputs().removeIf(v -> v.getName().equals(inputName));
    String sample = b.input("sample", DataTypes.FLOAT, sampleShape(x));
    String act = b.input("activation", DataTypes.FLOAT, sampleShape(a));
    String channels = b.input("channels", DataTypes.INT64, new long[] {batchSize});
    int r = a.rank();
    String picked = b.op("Gather", List.of(act, channels), Attributes.of("axis", 1L));
    long[] perm = GraphBuilder.range(0, r);
    perm[0] = 1;
    perm[1] = 0;
    String maps = b.transpose(picked, perm);
    long[] inSpatial = Arrays.copyOfRange(x.shape(), 2, x.rank());
    long[] aSpatial = Arrays.copyOfRange(a.shape(), 2, r);
    if (!Arrays.equals(inSpatial, aSpatial)) {
      long[] sizes = Shapes.concat(new long[] {batchSize, 1}, inSpatial);
      maps = Resize.linear(b, maps, sizes);
    }
    long[] axes = GraphBuilder.range(2, r);
    String min = b.reduce("ReduceMin", maps, axes, true);
    String max = b.reduce("ReduceMax", maps, axes, true);
    String norm = b.div(b.sub(maps, min), b.add(b.sub(max, min), b.scalar(1e-8)));
    b.opNamed("Mul", List.of(sample, norm), List.of(inputName));
    return finish(b, g, scoreHead(b, g, batch.effectiveSeed()));
  }

  private OrtProgram ablationProgram(int layer) {
    FloatTensor x = batch.input();
    FloatTensor a = batch.activations().get(layer);
    String layerTensor = layerTensors.get(layer);
    int batchSize = perPass(layer);
    Specialization sp = specialised(x, batchSize);
    Graph g = sp.graph();
    GraphBuilder b = sp.builder("ablate/");
    Cut cut = Cut.of(g, layerTensor);
    if (cut.downstream().isEmpty()) {
      throw new Gradcam3dException("Ablation-CAM cannot cut the model at '" + layerTensor + "': no model node "
          + "reads it (a token layer seen as a volume exists only in the explanation graph); use another method");
    }
    List<String> boundary = cut.boundary();
    g.nodes().clear();
    g.nodes().addAll(cut.downstream());
    g.inputs().clear();
    String act = b.input("activation", DataTypes.FLOAT, sampleShape(a));
    String keep = b.input("keep", DataTypes.FLOAT, keepShape(a, batchSize));
    b.opNamed("Mul", List.of(act, keep), List.of(layerTensor));
    for (int i = 0; i < boundary.size(); i++) {
      String t = boundary.get(i);
      long[] full = b.shape(t);
      if (full[0] != batchSize) {
        throw new Gradcam3dException("Ablation-CAM cannot cut the network at this layer: tensor '" + t
            + "' that crosses the cut has no batch axis " + Shapes.format(full));
      }
      long[] one = full.clone();
      one[0] = 1;
      String in = b.input("boundary_" + i, b.type(t), one);
      b.opNamed("Expand", List.of(in, b.constLongs(full)), List.of(t));
    }
    boundaryNames.put("ablate" + layer, boundary);
    return finish(b, g, scoreHead(b, g, batch.effectiveSeed()));
  }

  /**
   * The model specialised to k perturbations per pass, refused when the tensors of one pass
   * would not fit the machine's memory (every intermediate counted once: an upper bound).
   */
  private Specialization specialised(FloatTensor x, int k) {
    Specialization sp = Specialization.of(model, Map.of(inputName, kShape(x, k)));
    long bytes = estimatedBytes(sp);
    long physical = physicalMemory();
    if (physical > 0 && bytes > physical / 2) {
      long perPerturbation = Math.max(1, bytes / k);
      throw new Gradcam3dException(Setting.BATCH_SIZE, String.format(java.util.Locale.ROOT,
          Setting.BATCH_SIZE.label() + " %d needs about %.1f GB "
          + "for one batch of perturbed passes, more than half of this machine's %.1f GB; use "
          + Setting.BATCH_SIZE.label() + " %d "
          + "or less", k, bytes / 1e9, physical / 1e9, Math.max(1, physical / 2 / perPerturbation)));
    }
    return sp;
  }

  /** Bytes of every tensor of a specialised graph with a known shape. */
  static long estimatedBytes(Specialization sp) {
    long total = 0;
    for (gradcam3d.graph.TensorInfo t : sp.info().values()) {
      if (t.hasKnownShape()) {
        total += Shapes.numel(t.shape()) * 4;
      }
    }
    return total;
  }

  private static long physicalMemory() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : -1;
  }

  private static long[] keepShape(FloatTensor a, int batchSize) {
    long[] s = new long[a.rank()];
    Arrays.fill(s, 1);
    s[0] = batchSize;
    s[1] = a.dim(1);
    return s;
  }

  @Override
  public void close() {
    programs.close();
  }
}
