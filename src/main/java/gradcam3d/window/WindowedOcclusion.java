package gradcam3d.window;

import gradcam3d.cam.CamMethod;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Normalise;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Request;
import gradcam3d.cam.Target;
import gradcam3d.cam.TargetRegions;
import gradcam3d.graph.Graph;
import gradcam3d.graph.LayerResolver;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.Lanes;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Labels;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.List;

/**
 * An occluding method ({@link CamMethod.Occluding}) over a whole scan: occlusion of the whole
 * volume outside, the model's sliding windows inside. Pass 1 blends every window's scores into F
 * and fixes the target's region on it, as for every windowed explanation; then each occluded copy
 * of the scan is scored through the sliding-window prediction by {@link WindowedPatchScorer},
 * which re-runs only the model windows the occluded box overlaps. The map lives on the scan's grid.
 */
final class WindowedOcclusion implements AutoCloseable {
  /** What summary.json's {@code pass2_from} says for occlusion. */
  static final String NO_PASS2 = "none (occlusion: each occluded copy re-runs the model windows its box overlaps)";

  private final ModelProto model;
  private final Graph graph;
  private final String inputName;
  private final CamMethod.Occluding method;
  private final Request request;
  private final SlidingWindowExplainer.Settings settings;
  private final RuntimeOptions options;
  private Lanes<GradientEngine> scorers;

  /** For {@code method}, the request's method as an occlusion ({@link CamMethod#occlusion}). */
  WindowedOcclusion(ModelProto model, CamMethod.Occluding method, Request request,
      SlidingWindowExplainer.Settings settings, RuntimeOptions options) {
    this.model = model;
    this.graph = Graph.fromModel(model);
    this.inputName = graph.inputNames().get(0);
    this.method = method;
    this.request = request;
    this.settings = settings;
    this.options = options;
  }

  WindowedExplanation explain(FloatTensor input, Target target, WindowGrid grid, BlendWeights weights,
      List<WindowInference.Forward> forwards) {
    Progress progress = request.progress();
    long[] spatial = grid.volume();
    long t0 = System.nanoTime();
    BlendedSum blend = WindowInference.blend(input, grid, weights, settings.windowBatch(), settings.padValue(),
        forwards, progress);
    float[] predicted = new float[blend.classes()];
    Labels segmentation = blend.segmentation(predicted);
    float[] region = target.region(segmentation, spatial);
    long regionVoxels = 0;
    for (float r : region) {
      regionVoxels += r > 0 ? 1 : 0;
    }
    if (regionVoxels == 0) {
      throw TargetRegions.emptyRegion(target, "", predicted, 0, predicted.length);
    }
    List<Integer> reached = new ArrayList<>();
    for (int t = 0; t < grid.size(); t++) {
      if (WindowTargets.touches(WindowTargets.box(grid, t), region)) {
        reached.add(t);
      }
    }
    long[] wholeOutput = Shapes.concat(new long[] {1, blend.classes()}, spatial);
    FloatTensor kept = settings.keepPrediction() ? new FloatTensor(blend.finish(), wholeOutput) : null;
    long t1 = System.nanoTime();

    if (scorers == null) {
      GradientEngine.Config cfg = request.programAt(List.of(LayerSpec.named(inputName))).forwardOnly()
          .tensors(false, false).build();
      scorers = Lanes.open(options, o -> new GradientEngine(model, cfg, o));
    }
    WindowedPatchScorer scorer = new WindowedPatchScorer(scorers, graph, inputName, input, grid, weights,
        target.onPrediction(new FloatTensor(region, spatial)),
        target.classIndex(), blend.classes(), reached, request.batchSize(), settings.padValue());
    Explanation.Attribution a = method.attribute(input, scorer, progress);
    long t2 = System.nanoTime();

    FloatTensor map = method.map(a.values());
    FloatTensor cam = Normalise.perSampleInPlace(relu(map));
    long[] camShape = Shapes.concat(new long[] {1}, spatial);
    LayerResolver.Layer inputLayer = new LayerResolver.Layer(inputName, null, 0, inputName);
    Explanation.LayerMap layer = new Explanation.LayerMap(inputLayer, input.shape(), map, cam, null, null, null, null);
    GradientEngine.CompileStats stats = scorer.stats();
    long t3 = System.nanoTime();
    Explanation whole = new Explanation(List.of(layer), cam, new FloatTensor(new float[] {(float) scorer.unperturbed()}, 1),
        new long[] {regionVoxels}, new FloatTensor(predicted, 1, blend.classes()), new FloatTensor(region, camShape),
        List.of(target), wholeOutput, stats, scorer.runMs(), (t3 - t2) / 1e6, a);
    WindowedExplanation.Timings timings = new WindowedExplanation.Timings((t1 - t0) / 1e6, (t2 - t1) / 1e6, 0,
        (t3 - t2) / 1e6);
    return new WindowedExplanation(whole, segmentation.reshape(camShape), kept, grid, reached.size(),
        grid.size() - reached.size(), timings, NO_PASS2);
  }

  private static FloatTensor relu(FloatTensor t) {
    float[] d = t.data();
    float[] out = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = Math.max(0f, d[i]);
    }
    return new FloatTensor(out, t.shape());
  }

  @Override
  public void close() {
    if (scorers != null) {
      scorers.close();
    }
  }
}
