package gradcam3d.cam;

import gradcam3d.autodiff.GradientProgram.LayerGradient;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.SeedHead;
import gradcam3d.tensor.FloatTensor;
import java.util.List;
import java.util.Map;

/**
 * The flow shared by the method kinds that run one main program per batch (all but
 * {@link CamMethod.OwnFlow}): seed the targets, run, check each sample's region, let the kind
 * turn the run into maps ({@link #maps}), report LRP's relevance, and assemble the explanation.
 */
abstract class EngineFlow implements MethodFlow {
  /** A kind's maps from one run: one per layer, and the input-space attribution (or null). */
  record Maps(List<Explanation.LayerMap> layers, Explanation.Attribution attribution) {}

  final Request request;
  final GradientEngine engine;

  EngineFlow(Request request, GradientEngine engine) {
    this.request = request;
    this.engine = engine;
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
    Maps maps = maps(shapes, inputs, targets, r);
    Explanation.Relevance relevance = request.method().propagatesRelevance() ? relevance(r, maps) : null;
    double postMs = (System.nanoTime() - t0) / 1e6;
    Explanation e = request.windowed()
        ? TargetRegions.windowExplanation(r, perSample, os, maps.layers(), postMs, maps.attribution())
        : TargetRegions.explanation(r, perSample, os, maps.layers(), postMs, maps.attribution(), null);
    return e.withRelevance(relevance);
  }

  /** The maps of one run, resized to the input grid ({@code shapes}: the program's model input shapes). */
  abstract Maps maps(Map<String, long[]> shapes, Map<String, FloatTensor> inputs, List<Target> targets,
      GradientEngine.Result r);

  /** LRP's conservation: the relevance it starts from and what arrives at each map's tensor, per sample. */
  private Explanation.Relevance relevance(GradientEngine.Result r, Maps maps) {
    double[][] arrived = new double[maps.layers().size()][];
    for (int i = 0; i < arrived.length; i++) {
      arrived[i] = perSampleSums(maps.attribution() != null ? maps.attribution().values() : r.gradient(i));
    }
    return new Explanation.Relevance(request.method().startingRelevance(r.floats(SeedHead.EFFECTIVE_SEED),
        r.targetValues()), arrived);
  }

  /** Sum over everything but the batch axis, per sample, in double. */
  static double[] perSampleSums(FloatTensor t) {
    int batch = (int) t.dim(0);
    int per = t.size() / batch;
    double[] out = new double[batch];
    for (int b = 0; b < batch; b++) {
      double s = 0;
      for (int i = 0; i < per; i++) {
        s += t.data()[b * per + i];
      }
      out[b] = s;
    }
    return out;
  }

  /** Layer i's activation: computed by the program, or fed to it (a program from the layer). */
  static FloatTensor activation(GradientEngine.Result r, Map<String, FloatTensor> inputs, int i) {
    String name = r.layers().get(i).activation();
    return r.has(name) ? r.activation(i) : inputs.get(name);
  }

  /** Layer i's map with the tensors the request keeps (LRP's relevance at the layer is a result in itself). */
  Explanation.LayerMap layerMap(GradientEngine.Result r, Map<String, FloatTensor> inputs, int i,
      FloatTensor camLayer, FloatTensor cam, float[][] weights) {
    LayerGradient l = r.layers().get(i);
    FloatTensor a = request.keepTensors() ? activation(r, inputs, i) : null;
    boolean keepGradient = request.keepTensors() || request.method().propagatesRelevance();
    FloatTensor g = keepGradient && l.gradient() != null && r.has(l.gradient()) ? r.gradient(i) : null;
    return new Explanation.LayerMap(l.layer(), l.shape(), camLayer, cam, a, g, weights,
        Conditioning.illConditioned(r, i));
  }

  @Override
  public void close() {
    engine.close();
  }
}
