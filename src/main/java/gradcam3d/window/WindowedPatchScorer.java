package gradcam3d.window;

import gradcam3d.cam.BatchMemory;
import gradcam3d.cam.OcclusionGrid;
import gradcam3d.cam.PatchScorer;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Target;
import gradcam3d.graph.Graph;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.Lanes;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores occluded copies of a whole scan through its sliding-window prediction, exactly and
 * without re-running the windows an occlusion leaves alone. The whole-volume target is
 * T = sum_v seed(v) F(v) with F = sum_t w_t P_t / N the blend of the windows' scores P_t, so
 * T = sum_t T_t with T_t = sum_v seed(v) (w_t / N)(v) P_t(v): each window's own target, the
 * target restricted to it and weighted by its blend share (as pass 2 of
 * {@link SlidingWindowExplainer} seeds it). Occluding a box changes only the P_t of windows that overlap it, so
 * T(x) - T(x occluded) = sum over those windows of T_t(x) - T_t(x occluded), and windows the region
 * does not reach contribute nothing. Cost: one pass per window the region reaches (T_t(x)), plus,
 * per occluded box, one per such window that the box overlaps (1 to 2^d of them for boxes smaller
 * than the window overlap), each a model window's forward pass, in batches on {@link Lanes}.
 */
final class WindowedPatchScorer implements PatchScorer {
  private final Lanes<GradientEngine> lanes;
  private final Graph model;
  private final String inputName;
  private final FloatTensor input;
  private final WindowGrid grid;
  private final BlendWeights weights;
  private final Target fixed;
  private final int cls;
  private final int classes;
  private final List<Integer> reached;
  private final int batchSize;
  private final float padValue;
  private double runMs;
  private double unperturbed = Double.NaN;
  private GradientEngine.CompileStats stats;

  /**
   * @param input the scan [1, C, *S]
   * @param fixed the target, its region fixed on the scan ({@link Target#onPrediction}), of class
   *     {@code cls} of {@code classes}
   * @param reached the windows the region reaches
   */
  WindowedPatchScorer(Lanes<GradientEngine> lanes, Graph model, String inputName, FloatTensor input, WindowGrid grid,
      BlendWeights weights, Target fixed, int cls, int classes, List<Integer> reached, int batchSize,
      float padValue) {
    this.lanes = lanes;
    this.model = model;
    this.inputName = inputName;
    this.input = input;
    this.grid = grid;
    this.weights = weights;
    this.fixed = fixed;
    this.cls = cls;
    this.classes = classes;
    this.reached = reached;
    this.batchSize = batchSize;
    this.padValue = padValue;
  }

  /** The reached windows that occluded window i of {@code o} overlaps. */
  private List<Integer> affected(OcclusionGrid o, int i) {
    long[] start = o.start(i);
    List<Integer> out = new ArrayList<>();
    for (int t : reached) {
      long[] s = grid.start(t);
      boolean overlaps = true;
      for (int a = 0; a < s.length && overlaps; a++) {
        overlaps = start[a] < s[a] + grid.window()[a] && s[a] < start[a] + o.size()[a];
      }
      if (overlaps) {
        out.add(t);
      }
    }
    return out;
  }

  /**
   * Per reached window, the boxes overlapping it are a product over the axes of the box starts
   * overlapping its range, so the count needs no walk over the boxes (a budget tries many grids).
   */
  @Override
  public long passes(OcclusionGrid o) {
    long n = reached.size();
    for (int t : reached) {
      long[] s = grid.start(t);
      long boxes = 1;
      for (int a = 0; a < s.length; a++) {
        long along = 0;
        for (long b : o.axisStarts().get(a)) {
          along += b < s[a] + grid.window()[a] && s[a] < b + o.size()[a] ? 1 : 0;
        }
        boxes *= along;
      }
      n += boxes;
    }
    return n;
  }

  @Override
  public String describe(OcclusionGrid o) {
    return "model windows of " + OcclusionGrid.join(grid.window()) + " of the sliding-window prediction (" + reached.size()
        + " of " + grid.size() + " reach the target), batches of " + Math.min(batchSize, passes(o)) + " on "
        + lanes.size() + " lane" + (lanes.size() == 1 ? "" : "s");
  }

  @Override
  public void checkMemory(OcclusionGrid o) {
    BatchMemory.check(model, inputName, batchShape((int) Math.min(Integer.MAX_VALUE, passes(o))), lanes.size(),
        BatchMemory.physicalMemory(), "occluded window passes");
  }

  /** T(x) = sum of the reached windows' targets, known once {@link #score} ran. */
  double unperturbed() {
    return unperturbed;
  }

  /** Compile and session timings of lane 0's scoring program, known once {@link #score} ran. */
  GradientEngine.CompileStats stats() {
    return stats;
  }

  /** Milliseconds spent in ONNX Runtime runs. */
  double runMs() {
    return runMs;
  }

  /** The batch shape the scoring programs run for this many items. */
  private long[] batchShape(int items) {
    return Shapes.concat(new long[] {Math.min(batchSize, items), input.dim(1)}, grid.window());
  }

  @Override
  public Scores score(OcclusionGrid o, Occluder occluder, Progress progress) {
    // items: each reached window unoccluded, then (occluded window, reached window it overlaps)
    List<int[]> items = new ArrayList<>();
    for (int t : reached) {
      items.add(new int[] {-1, t});
    }
    for (int i = 0; i < o.count(); i++) {
      for (int t : affected(o, i)) {
        items.add(new int[] {i, t});
      }
    }
    long[] shape = batchShape(items.size());
    int n = (int) shape[0];
    double[] values = new double[items.size()];
    int batches = (items.size() + n - 1) / n;
    double[] ms = new double[batches];
    lanes.shared(batches, (engine, b) -> {
      int count = Math.min(n, items.size() - b * n);
      List<int[]> batch = new ArrayList<>(items.subList(b * n, b * n + count));
      while (batch.size() < n) {
        batch.add(batch.get(batch.size() - 1)); // a short last batch repeats its last item
      }
      GradientEngine.Result r = engine.run(Map.of(inputName, crops(o, occluder, batch)), seeds(batch));
      ms[b] = r.runMs();
      float[] t = r.targetValues().data();
      for (int j = 0; j < count; j++) {
        values[b * n + j] = t[j];
      }
      synchronized (progress) {
        progress.advance(count);
      }
    });
    for (double m : ms) {
      runMs += m;
    }
    Map<Integer, Double> base = new HashMap<>();
    double total = 0;
    for (int k = 0; k < reached.size(); k++) {
      base.put(items.get(k)[1], values[k]);
      total += values[k];
    }
    double[] drops = new double[o.count()];
    for (int k = reached.size(); k < items.size(); k++) {
      int[] it = items.get(k);
      drops[it[0]] += base.get(it[1]) - values[k];
    }
    unperturbed = total;
    stats = lanes.first().compiled(Map.of(inputName, shape)).stats();
    return new Scores(total, drops);
  }

  /** The items' window crops [n, C, *W], each with its occluded window's voxels replaced where it overlaps. */
  private FloatTensor crops(OcclusionGrid o, Occluder occluder, List<int[]> batch) {
    List<Integer> windows = batch.stream().map(it -> it[1]).toList();
    FloatTensor x = WindowInference.crops(input, grid, windows, padValue);
    int channels = (int) input.dim(1);
    long[] volume = grid.volume();
    float[] patch = new float[channels * (int) Shapes.numel(o.size())];
    int last = -1;
    for (int j = 0; j < batch.size(); j++) {
      int i = batch.get(j)[0];
      if (i < 0) {
        continue;
      }
      long[] start = o.start(i);
      if (i != last) {
        OcclusionGrid.copyBox(input.data(), 0, volume, channels, start, o.size(), patch, false);
        occluder.occlude(patch);
        last = i;
      }
      paste(patch, start, o.size(), x.data(), j, channels, grid.start(batch.get(j)[1]), grid.window());
    }
    return x;
  }

  /**
   * Writes the part of {@code patch} [C, *size] at volume position {@code start} that lies inside
   * the window at {@code windowStart} into item {@code item} of the crops [n, C, *window].
   */
  static void paste(float[] patch, long[] start, long[] size, float[] crops, int item, int channels,
      long[] windowStart, long[] window) {
    int r = start.length;
    long[] lo = new long[r];
    long[] len = new long[r];
    for (int a = 0; a < r; a++) {
      lo[a] = Math.max(start[a], windowStart[a]);
      len[a] = Math.min(start[a] + size[a], windowStart[a] + window[a]) - lo[a];
      if (len[a] <= 0) {
        return;
      }
    }
    int patchVoxels = (int) Shapes.numel(size);
    int windowVoxels = (int) Shapes.numel(window);
    long[] pStrides = Shapes.strides(size);
    long[] wStrides = Shapes.strides(window);
    int row = (int) len[r - 1];
    long rows = Shapes.numel(java.util.Arrays.copyOf(len, r - 1));
    for (long k = 0; k < rows; k++) {
      long rest = k;
      long p = lo[r - 1] - start[r - 1];
      long w = lo[r - 1] - windowStart[r - 1];
      for (int a = r - 2; a >= 0; a--) {
        long i = rest % len[a] + lo[a];
        rest /= len[a];
        p += (i - start[a]) * pStrides[a];
        w += (i - windowStart[a]) * wStrides[a];
      }
      for (int c = 0; c < channels; c++) {
        System.arraycopy(patch, c * patchVoxels + (int) p, crops,
            (item * channels + c) * windowVoxels + (int) w, row);
      }
    }
  }

  /** Each item's seed [n, K, *W]: class cls = the target restricted to its window times the window's blend share. */
  private GradientEngine.Seed seeds(List<int[]> batch) {
    int n = batch.size();
    int windowVoxels = (int) Shapes.numel(grid.window());
    float[] seed = new float[n * classes * windowVoxels];
    Map<Integer, float[]> perWindow = new HashMap<>();
    for (int j = 0; j < n; j++) {
      float[] s = perWindow.computeIfAbsent(batch.get(j)[1], t -> Target.seed(
          List.of(WindowTargets.inWindow(fixed, grid, weights, t).orElseThrow()),
          Shapes.concat(new long[] {1, classes}, grid.window())).weights().data());
      System.arraycopy(s, cls * windowVoxels, seed, (j * classes + cls) * windowVoxels, windowVoxels);
    }
    long[] shape = Shapes.concat(new long[] {n, classes}, grid.window());
    return new GradientEngine.Seed(new FloatTensor(seed, shape), FloatTensor.zeros(n, classes));
  }
}
