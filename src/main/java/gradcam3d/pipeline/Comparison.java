package gradcam3d.pipeline;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.CamMethod;
import gradcam3d.graph.Graph;
import gradcam3d.graph.LayerResolver;
import gradcam3d.graph.LayerSpec;
import gradcam3d.graph.ModuleIndex;
import gradcam3d.metrics.Evaluation;
import gradcam3d.metrics.FaithfulnessCurves;
import gradcam3d.onnx.ModelIO;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * One case explained with each method at each of its layer sets (one map per pair, not
 * aggregated), every map measured, the pairs ranked by deletion AUC (lower is better): the flow
 * of the command line's {@code compare}, as a library. Writing each pair's folder and the tables
 * belongs to the caller ({@code gradcam3d.output.ComparisonWriter}).
 */
public final class Comparison {
  /** The layer of a method that takes no layer. */
  public static final String INPUT_ROW = "input";

  private Comparison() {}

  /** One method at one layer set on the case, measured; {@code seconds} includes writing its folder. */
  public record Pair(String method, String layer, CaseResult result, double seconds) {
    /** The case's measures (compare takes one sample). */
    public Evaluation.SampleMetrics metrics() {
      return result.metrics().samples().get(0);
    }

    /** The deletion curve's area, or NaN without curves. */
    public double deletionAuc() {
      FaithfulnessCurves c = metrics().curves();
      return c == null ? Double.NaN : c.deletionAuc();
    }
  }

  /** What is done with each pair as soon as it is explained (its folder written), before the next. */
  public interface PairWriter {
    void write(String method, String layer, CaseResult result);
  }

  /**
   * The layer sets a method is explained with, one pair each: every layer alone; all of them at
   * once for a method that combines its layers (refine-cam); none for one that takes no layer
   * (input-space methods, fullgrad, occlusion) or when none is given (the explainer then says what
   * is missing).
   */
  public static List<List<LayerSpec>> layerRuns(CamMethod method, List<LayerSpec> layers) {
    if (!method.takesLayers() || layers.isEmpty()) {
      return List.of(List.of());
    }
    if (method.combinesLayers()) {
      return List.of(layers);
    }
    return layers.stream().map(List::of).toList();
  }

  /** A pair's layer column: the layers joined with '+', or {@link #INPUT_ROW} without one. */
  public static String layerName(List<LayerSpec> layers) {
    return layers.isEmpty() ? INPUT_ROW : String.join("+", layers.stream().map(LayerSpec::toString).toList());
  }

  /**
   * Every method with every layer set it runs with, checked before anything is computed: a method
   * missing its layer, an unknown or ambiguous layer.
   */
  public static void check(Settings base, List<CamMethod> methods, List<LayerSpec> layers) {
    for (CamMethod method : methods) {
      for (List<LayerSpec> run : layerRuns(method, layers)) {
        base.withMethod(method).withLayers(run).checkRequest();
      }
    }
    Graph g = Graph.fromModel(ModelIO.read(base.model()));
    LayerResolver resolver = new LayerResolver(g, ModuleIndex.of(g));
    for (LayerSpec layer : layers) {
      resolver.resolve(layer);
    }
  }

  /**
   * Explains {@code input} with each method at each of its layer sets, measured as {@code how}
   * says; {@code checkLoaded} sees the loaded input before the first map, {@code writer} each pair
   * as it is made. Returns the pairs, lowest deletion AUC first (pairs without curves last, in
   * their order).
   */
  public static List<Pair> run(Settings base, Evaluation.Settings how, List<CamMethod> methods, List<LayerSpec> layers,
      CaseInput input, Consumer<LoadedCase> checkLoaded, PairWriter writer) {
    List<Pair> pairs = new ArrayList<>();
    for (CamMethod method : methods) {
      for (List<LayerSpec> run : layerRuns(method, layers)) {
        String layer = layerName(run);
        Settings s = base.withMethod(method).withLayers(run);
        long t0 = System.nanoTime();
        CaseResult r;
        try (ExplanationPipeline pipeline = new ExplanationPipeline(s, how)) {
          r = pipeline.run(input, checkLoaded);
        }
        if (r.metrics().samples().size() != 1) {
          throw new Gradcam3dException("compare takes one case; the input holds a batch of "
              + r.metrics().samples().size());
        }
        writer.write(method.name(), layer, r);
        pairs.add(new Pair(method.name(), layer, r, (System.nanoTime() - t0) / 1e9));
      }
    }
    pairs.sort(Comparator.comparingDouble(Pair::deletionAuc));
    return pairs;
  }
}
