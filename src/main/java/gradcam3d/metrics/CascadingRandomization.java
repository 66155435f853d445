package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.MaskTarget;
import gradcam3d.cam.PredictedClassTarget;
import gradcam3d.cam.Request;
import gradcam3d.cam.Target;
import gradcam3d.graph.Graph;
import gradcam3d.graph.Node;
import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The model-parameter randomisation test of Adebayo et al. (2018), cascading: the weighted layers
 * (Conv, ConvTranspose, Gemm, MatMul nodes with floating initializer inputs) are ordered from the
 * output backwards; step j re-initialises the first ceil(L * j / steps) of them, every initializer
 * input of the node replaced by zero-mean Gaussian noise with the original's standard deviation
 * (java.util.Random seeded with seed + layer position), and the map is explained again. Each step
 * reports Spearman's rank correlation between the new map and the original (per sample, averaged
 * over the batch). A faithful method's map should decorrelate; the check warns when the
 * correlation is still above {@value #WARN_ABOVE} once the top half of the layers is random.
 */
public final class CascadingRandomization {
  public static final double WARN_ABOVE = 0.9;
  private static final Set<String> WEIGHTED = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul");

  /** One step: how many layers (from the output) are random, the last one's name, the correlation. */
  public record Step(int randomLayers, String lastLayer, double spearman) {}

  /** The steps, the number of weighted layers, and the warning (null when the check passes). */
  public record Result(List<Step> steps, int layers, String warning) {}

  private CascadingRandomization() {}

  /** Weighted nodes from the output backwards. */
  static List<Node> weightedLayers(Graph g) {
    g.sortTopologically();
    List<Node> out = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (WEIGHTED.contains(n.opType()) && n.domain().isEmpty() && !floatInitializers(g, n).isEmpty()) {
        out.add(n);
      }
    }
    Collections.reverse(out);
    return out;
  }

  private static List<String> floatInitializers(Graph g, Node n) {
    List<String> names = new ArrayList<>();
    for (String in : n.inputs()) {
      TensorProto t = g.initializers().get(in);
      if (t != null && t.getDataType() == DataTypes.FLOAT && !names.contains(in)) {
        names.add(in);
      }
    }
    return names;
  }

  /** The model with its first {@code count} weighted layers (from the output) re-initialised. */
  public static ModelProto randomized(ModelProto model, int count, long seed) {
    return randomized(model, i -> i < count, seed);
  }

  /**
   * The model with only weighted layer {@code position} (0 = nearest the output) re-initialised,
   * with the same noise the cascade gives it (the independent randomisation test).
   */
  public static ModelProto randomizedLayer(ModelProto model, int position, long seed) {
    return randomized(model, i -> i == position, seed);
  }

  /** The number of weighted layers the tests randomise. */
  public static int layerCount(ModelProto model) {
    return weightedLayers(Graph.fromModel(model)).size();
  }

  /** The name of weighted layer {@code position} (0 = nearest the output). */
  public static String layerName(ModelProto model, int position) {
    Node n = weightedLayers(Graph.fromModel(model)).get(position);
    return n.name().isEmpty() ? n.output(0) : n.name();
  }

  private static ModelProto randomized(ModelProto model, java.util.function.IntPredicate which, long seed) {
    Graph g = Graph.fromModel(model);
    List<Node> layers = weightedLayers(g);
    for (int i = 0; i < layers.size(); i++) {
      if (!which.test(i)) {
        continue;
      }
      Random rng = new Random(seed + i);
      for (String name : floatInitializers(g, layers.get(i))) {
        TensorProto t = g.initializers().get(name);
        float[] v = TensorProtos.toFloats(t);
        double mean = 0;
        for (float f : v) {
          mean += f / (double) v.length;
        }
        double var = 0;
        for (float f : v) {
          var += (f - mean) * (f - mean) / v.length;
        }
        double std = Math.sqrt(var);
        float[] noise = new float[v.length];
        for (int k = 0; k < v.length; k++) {
          noise[k] = (float) (rng.nextGaussian() * std);
        }
        g.initializers().put(name, TensorProtos.ofFloats(name, noise, TensorProtos.dims(t)));
      }
    }
    return g.toModel();
  }

  /**
   * Runs the cascade for an explanation request on one batch.
   *
   * @param original the unchanged model's explanation of this request; its target regions stay
   *     fixed while the weights change (a random model predicts other regions)
   * @param steps at most this many steps (all layers when larger)
   */
  public static Result run(ModelProto model, Request request, Map<String, FloatTensor> inputs,
      Explanation original, int steps, long seed, RuntimeOptions options) {
    List<Target> fixed = fixedTargets(original);
    int total = weightedLayers(Graph.fromModel(model)).size();
    if (total == 0) {
      throw new Gradcam3dException("the model has no Conv, ConvTranspose, Gemm or MatMul layer with weights "
          + "to randomise");
    }
    int n = Math.max(1, Math.min(steps, total));
    List<Node> names = weightedLayers(Graph.fromModel(model));
    List<Step> out = new ArrayList<>();
    String warning = null;
    for (int j = 1; j <= n; j++) {
      int count = (int) Math.ceil((double) total * j / n);
      double rho;
      try (Explainer ex = new Explainer(randomized(model, count, seed), request, options)) {
        rho = meanSpearman(original.cam(), ex.explain(inputs, fixed).cam());
      } catch (Gradcam3dException e) {
        // a classifier whose random weights no longer predict the explained class
        rho = Double.NaN;
      }
      Node last = names.get(count - 1);
      out.add(new Step(count, last.name().isEmpty() ? last.output(0) : last.name(), rho));
      if (warning == null && 2 * count >= total && rho > WARN_ABOVE) {
        warning = String.format(java.util.Locale.ROOT, "the map barely changes when the weights are "
            + "randomised (Spearman %.3f with %d of %d layers random): it does not explain this model", rho,
            count, total);
      }
    }
    return new Result(out, total, warning);
  }

  /** Each sample's region as a mask target (segmentation), else its explained class. */
  private static List<Target> fixedTargets(Explanation e) {
    List<Target> out = new ArrayList<>();
    int batch = (int) e.outputShape()[0];
    for (int b = 0; b < batch; b++) {
      int k = e.explainedClass(b);
      out.add(e.region() == null ? new PredictedClassTarget(k)
          : new MaskTarget(k, "the unchanged model's target region", e.region().slice0(b)));
    }
    return out;
  }

  /** Spearman correlation per sample, averaged. */
  static double meanSpearman(FloatTensor a, FloatTensor b) {
    int batch = (int) a.dim(0);
    double s = 0;
    for (int i = 0; i < batch; i++) {
      s += RankCorrelation.spearman(a.slice0(i).data(), b.slice0(i).data()) / batch;
    }
    return s;
  }
}
