package gradcam3d.window;

import gradcam3d.cam.Explanation;
import gradcam3d.cam.Progress;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.tensor.Shapes;
import gradcam3d.window.SlidingWindowExplainer.WindowObserver;
import java.util.List;

/**
 * Pass 2's running totals, fed the windows' explanations in window order on one thread: the
 * maps summed in place, the target value, the observer and the progress bar.
 */
final class Stitch {
  final WindowGrid grid;
  final WindowObserver observer;
  final Progress progress;
  /** Per layer the sum of the windows' maps ({@link #sum} makes it a volume at the end). */
  private final SlabSum[] sums;
  /** An input-space method's attribution [C, *S] summed over the windows (LRP's input relevance), or null. */
  final float[] attribution;
  final Boolean[] illConditioned;
  private final int voxels;
  /** LRP: the windows' starting relevance and the relevance arriving per layer (or at the input), summed. */
  private double startingRelevance;
  private double[] arrivedRelevance;
  List<Explanation.LayerMap> firstLayers;
  GradientEngine.CompileStats stats;
  double runMs;
  double stitchNs;
  /** When each add's summing started and how long it took (ns), for {@link #nsSince}. */
  private long[] stitchStarts = new long[16];
  private long[] stitchDurations = new long[16];
  private int stitches;

  /** {@code attributionChannels}: the input channels of an input-space method's attribution, else 0. */
  Stitch(WindowGrid grid, int layers, int voxels, int attributionChannels, WindowObserver observer, Progress progress) {
    this.grid = grid;
    this.observer = observer;
    this.progress = progress;
    this.sums = new SlabSum[layers];
    for (int l = 0; l < layers; l++) {
      sums[l] = new SlabSum(grid.volume());
    }
    this.voxels = voxels;
    this.attribution = attributionChannels > 0 ? new float[attributionChannels * voxels] : null;
    this.illConditioned = new Boolean[layers];
  }

  /** LRP's conservation sums over the windows, or null for other methods. */
  Explanation.Relevance relevance() {
    return arrivedRelevance == null ? null : new Explanation.Relevance(new double[] {startingRelevance},
        java.util.Arrays.stream(arrivedRelevance).mapToObj(a -> new double[] {a}).toArray(double[][]::new));
  }

  void add(List<Integer> batch, Explanation e) {
    if (firstLayers == null) {
      firstLayers = e.layers();
      stats = e.compileStats();
    }
    runMs += e.runMs() + e.postMs();
    for (int i = 0; i < batch.size(); i++) {
      observer.window(batch.get(i), grid.start(batch.get(i)), e, i);
    }
    Explanation.Relevance r = e.relevance();
    if (r != null) {
      arrivedRelevance = arrivedRelevance == null ? new double[r.arrived().length] : arrivedRelevance;
      for (int i = 0; i < batch.size(); i++) {
        startingRelevance += r.starting()[i];
        for (int k = 0; k < arrivedRelevance.length; k++) {
          arrivedRelevance[k] += r.arrived()[k][i];
        }
      }
    }
    long ts = System.nanoTime();
    if (attribution != null) {
      float[] a = e.attribution().values().data();
      int windowVoxels = (int) Shapes.numel(grid.window());
      int channels = attribution.length / voxels;
      for (int i = 0; i < batch.size(); i++) {
        int base = i * channels * windowVoxels;
        for (int c = 0; c < channels; c++) {
          int from = base + c * windowVoxels;
          int to = c * voxels;
          WindowInference.box(grid, batch.get(i)).forEachRun((wo, vo, len, row) -> {
            for (int j = 0; j < len; j++) {
              attribution[to + vo + j] += a[from + wo + j];
            }
          });
        }
      }
      stitchNs += System.nanoTime() - ts;
      progress.advance(batch.size());
      return;
    }
    for (int l = 0; l < sums.length; l++) {
      // a layer's weights count as ill-conditioned when they are in any window
      Boolean ill = e.layers().get(l).weightsIllConditioned();
      illConditioned[l] = ill == null ? illConditioned[l]
          : Boolean.valueOf(ill || Boolean.TRUE.equals(illConditioned[l]));
      addInPlace(e.layers().get(l).cam().data(), grid, batch, sums[l]);
    }
    long took = System.nanoTime() - ts;
    stitchNs += took;
    if (stitches == stitchStarts.length) {
      stitchStarts = java.util.Arrays.copyOf(stitchStarts, 2 * stitches);
      stitchDurations = java.util.Arrays.copyOf(stitchDurations, 2 * stitches);
    }
    stitchStarts[stitches] = ts;
    stitchDurations[stitches++] = took;
    progress.advance(batch.size());
  }

  /** Nanoseconds spent summing in the adds that started at or after {@code t} (System.nanoTime). */
  long nsSince(long t) {
    long ns = 0;
    for (int i = 0; i < stitches; i++) {
      ns += stitchStarts[i] - t >= 0 ? stitchDurations[i] : 0;
    }
    return ns;
  }

  /** Adds each window's map [n, *W] into the whole-volume sum at its place. */
  static void addInPlace(float[] maps, WindowGrid grid, List<Integer> batch, SlabSum sum) {
    int windowVoxels = (int) Shapes.numel(grid.window());
    for (int i = 0; i < batch.size(); i++) {
      int base = i * windowVoxels;
      WindowInference.box(grid, batch.get(i)).forEachRun((wo, vo, len, row) -> sum.add(vo, maps, base + wo, len));
    }
  }

  /** Layer l's summed maps over the volume (call once, when every window is added). */
  float[] sum(int l) {
    return sums[l].toArray();
  }
}
