package gradcam3d.cam;

import gradcam3d.graph.Graph;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.Lanes;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores occluded copies of one sample through the whole model: item 0 is the sample itself, item
 * 1 + i the sample with window i occluded, run in batches of {@code batchSize} through forward-only
 * programs (the fast form, see {@link gradcam3d.optimize.FastForm}) on {@link Lanes} side by side,
 * each batch whole on one lane; a short last batch is padded with copies of the sample. Each item
 * is scored with the sample's effective seed (gate off), so the region stays the one of the
 * unperturbed prediction.
 */
final class WholeInputScorer implements PatchScorer {
  private final Lanes<GradientEngine> lanes;
  private final Graph model;
  private final String inputName;
  private final FloatTensor sample;
  private final FloatTensor seed;
  private final int batchSize;

  /**
   * @param sample the sample [1, C, *S]
   * @param seed its effective seed [1, K, *So]
   */
  WholeInputScorer(Lanes<GradientEngine> lanes, Graph model, String inputName, FloatTensor sample, FloatTensor seed,
      int batchSize) {
    this.lanes = lanes;
    this.model = model;
    this.inputName = inputName;
    this.sample = sample;
    this.seed = seed;
    this.batchSize = batchSize;
  }

  @Override
  public long passes(OcclusionGrid grid) {
    return grid.count() + 1L;
  }

  @Override
  public String describe(OcclusionGrid grid) {
    return "whole input, batches of " + perBatch(grid) + " on " + lanes.size() + " lane" + (lanes.size() == 1 ? "" : "s");
  }

  /** Items per batch: the batch size, at most every item. */
  private int perBatch(OcclusionGrid grid) {
    return (int) Math.min(batchSize, passes(grid));
  }

  @Override
  public void checkMemory(OcclusionGrid grid) {
    long[] batchShape = sample.shape().clone();
    batchShape[0] = perBatch(grid);
    BatchMemory.check(model, inputName, batchShape, lanes.size(), BatchMemory.physicalMemory(), "occluded passes");
  }

  @Override
  public Scores score(OcclusionGrid grid, Occluder occluder, Progress progress) {
    int items = grid.count() + 1;
    int n = perBatch(grid);
    double[] t = new double[items];
    int batches = (items + n - 1) / n;
    lanes.shared(batches, (engine, b) -> {
      double[] s = run(engine, grid, occluder, b * n, n, items);
      System.arraycopy(s, 0, t, b * n, Math.min(n, items - b * n));
      synchronized (progress) {
        progress.advance(Math.min(n, items - b * n));
      }
    });
    double[] drops = new double[items - 1];
    for (int i = 0; i < drops.length; i++) {
      drops[i] = t[0] - t[i + 1];
    }
    return new Scores(t[0], drops);
  }

  /** Targets of items {@code first} .. first + n - 1 (past {@code items}: the sample again). */
  private double[] run(GradientEngine engine, OcclusionGrid grid, Occluder occluder, int first, int n, int items) {
    float[] x = sample.data();
    int size = x.length;
    int channels = (int) sample.dim(1);
    float[] batch = new float[n * size];
    float[] patch = new float[channels * (int) Shapes.numel(grid.size())];
    for (int j = 0; j < n; j++) {
      System.arraycopy(x, 0, batch, j * size, size);
      int item = first + j;
      if (item >= 1 && item < items) {
        long[] start = grid.start(item - 1);
        OcclusionGrid.copyBox(batch, j * size, grid.volume(), channels, start, grid.size(), patch, false);
        occluder.occlude(patch);
        OcclusionGrid.copyBox(batch, j * size, grid.volume(), channels, start, grid.size(), patch, true);
      }
    }
    long[] shape = sample.shape().clone();
    shape[0] = n;
    float[] seeds = new float[n * seed.size()];
    for (int j = 0; j < n; j++) {
      System.arraycopy(seed.data(), 0, seeds, j * seed.size(), seed.size());
    }
    long[] seedShape = seed.shape().clone();
    seedShape[0] = n;
    GradientEngine.Result r = engine.run(Map.of(inputName, new FloatTensor(batch, shape)),
        new GradientEngine.Seed(new FloatTensor(seeds, seedShape), FloatTensor.zeros(n, seedShape[1])));
    float[] v = r.targetValues().data();
    double[] out = new double[n];
    for (int j = 0; j < n; j++) {
      out[j] = v[j];
    }
    return out;
  }

  /**
   * The attribution of every sample of x [B, C, *S], each with its own effective seed (one scorer
   * per sample, so samples never mix): values and arrays stacked over the samples, passes and
   * seconds summed.
   */
  static Explanation.Attribution attributeEach(CamMethod.Occluding method, Lanes<GradientEngine> lanes, Graph model,
      String inputName, FloatTensor x, FloatTensor effectiveSeed, int batchSize, Progress progress) {
    List<Explanation.Attribution> each = new ArrayList<>();
    for (int b = 0; b < x.dim(0); b++) {
      WholeInputScorer scorer = new WholeInputScorer(lanes, model, inputName, InputAttributions.one(x, b),
          InputAttributions.one(effectiveSeed, b), batchSize);
      each.add(method.attribute(InputAttributions.one(x, b), scorer, progress));
    }
    if (each.size() == 1) {
      return each.get(0);
    }
    Map<String, FloatTensor> arrays = new LinkedHashMap<>();
    for (String name : each.get(0).arrays().keySet()) {
      arrays.put(name, stack(each.stream().map(a -> a.arrays().get(name)).toList()));
    }
    Explanation.Cost first = each.get(0).cost();
    Explanation.Cost cost = first == null ? null : new Explanation.Cost(first.method(),
        each.stream().mapToLong(a -> a.cost().forwardPasses()).sum(),
        each.stream().mapToDouble(a -> a.cost().seconds()).sum(), first.parameters());
    return new Explanation.Attribution(stack(each.stream().map(Explanation.Attribution::values).toList()), null,
        arrays, cost);
  }

  /** Tensors [1, ...] joined along axis 0. */
  private static FloatTensor stack(List<FloatTensor> ones) {
    long[] s = ones.get(0).shape().clone();
    s[0] = ones.size();
    return FloatTensor.stack(ones).reshape(s);
  }
}
