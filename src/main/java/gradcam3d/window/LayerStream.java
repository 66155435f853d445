package gradcam3d.window;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Target;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.Lanes;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Labels;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Both passes in one stream, pass 2 from the layer: pass 1's forward program also outputs, per
 * window, the tensors crossing the layer's cut (the activation and the skip connections the
 * decoder reads), and pass 2 runs only the part of the model after the layer on them (forward +
 * backward + CAM), instead of repeating the encoder from the window's input. The steps run in
 * {@link WindowSchedule} order on the lanes: a window is explained as soon as its part of the
 * blended prediction is final, and its cut tensors are dropped then, so only the windows between
 * their forward and explain steps are held (15 of 27 at most for 3x3x3 windows with overlap 0.5).
 * The calling thread blends and sums in step order, so any number of lanes gives the same floats;
 * the lanes take the steps as they are free ({@link Lanes#orderedAsFree}).
 */
final class LayerStream {
  private LayerStream() {}

  /** One lane's two programs: pass 1's forward and pass 2's explainer from the layer. */
  record Lane(GradientEngine forward, Explainer explainer) {}

  /** Runs pass 1's forward program on a batch of windows [n, C, *W]. */
  @FunctionalInterface
  interface Forward {
    GradientEngine.Result run(GradientEngine lane, FloatTensor windows, boolean lastRun);
  }

  /**
   * What the passes leave: the blend, the segmentation and the whole-volume region (null for a
   * predicted class's: the segmentation's voxels of the class), the windows explained.
   */
  record Passes(BlendedSum blend, Labels segmentation, float[] predicted, float[] region, int reached,
      long predictedAt) {}

  /** The volume, its grid and what a window's step needs. */
  record Volume(FloatTensor input, String inputName, WindowGrid grid, BlendWeights weights, int windowBatch,
      float padValue, int classes, boolean keepBlend) {}

  private record Forwarded(List<Integer> windows, FloatTensor scores, List<Map<String, FloatTensor>> cuts) {}

  private record Explained(int window, Explanation explanation, Map<String, FloatTensor> cut) {}

  /**
   * Arrays for the held cut tensors, reused from window to window. Why: a cut is held for about
   * 15 windows (seconds), so fresh arrays outlived the young collections, were promoted and then
   * died in the old generation, which grew the 192^3 benchmark's Java heap by about 400 MB.
   */
  private static final class CutArrays {
    private final Map<Integer, java.util.ArrayDeque<float[]>> free = new java.util.HashMap<>();

    /** A copy of {@code t} (its first {@code t}'s batch item {@code item}) in a reused array, shaped [1, ...]. */
    FloatTensor copy(FloatTensor t, int item) {
      long[] s = t.shape();
      s[0] = 1;
      int n = Math.toIntExact(Shapes.numel(s));
      float[] a;
      synchronized (this) {
        java.util.ArrayDeque<float[]> q = free.get(n);
        a = q == null || q.isEmpty() ? null : q.pop();
      }
      if (a == null) {
        a = new float[n];
      }
      System.arraycopy(t.data(), item * n, a, 0, n);
      return new FloatTensor(a, s);
    }

    synchronized void giveBack(Map<String, FloatTensor> cut) {
      for (FloatTensor t : cut.values()) {
        free.computeIfAbsent(t.size(), k -> new java.util.ArrayDeque<>()).push(t.data());
      }
    }
  }

  /** How far the calling thread has blended: the explain steps wait here for their forward step. */
  private static final class Blended {
    private int through = -1;

    synchronized void done(int step) {
      through = step;
      notifyAll();
    }

    synchronized void await(int step) {
      while (through < step) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new Gradcam3dException("interrupted while waiting for the blended prediction");
        }
      }
    }
  }

  /**
   * Streams both passes; {@code scores}: the forward output holding the window's scores;
   * {@code feeds}: the explainer's inputs (the cut's tensors, maybe the model input itself).
   */
  static Passes run(Volume v, List<Lane> lanes, Forward forward, String scores, List<String> feeds,
      Target target, Stitch stitch, Progress progress, java.util.function.Consumer<Labels> segmentationFinal) {
    WindowGrid grid = v.grid();
    WindowSchedule schedule = WindowSchedule.of(grid, v.windowBatch());
    List<WindowSchedule.Step> steps = schedule.steps();
    // the whole blend only when the blended prediction is kept; else the slabs not yet final
    BlendedSum blend = v.keepBlend() ? new BlendedSum(grid, v.weights(), v.classes())
        : BlendedSum.streaming(grid, v.weights(), v.classes());
    boolean predicted = target.regionFromPrediction();
    long[] spatial = grid.volume();
    // a mask, box, voxel or whole-class region is known before any window runs
    float[] fixedRegion = predicted ? null : target.region(null, spatial);
    int cls = target.classIndex();
    blend.scoring(cls, fixedRegion);
    Map<String, long[]> oneWindow = Map.of(v.inputName(), Shapes.concat(new long[] {1, v.input().dim(1)}, grid.window()));
    Map<Integer, Map<String, FloatTensor>> held = new ConcurrentHashMap<>();
    CutArrays arrays = new CutArrays();
    Blended blended = new Blended();
    boolean[] release = lastStepsOnLanes(steps, Math.min(lanes.size(), steps.size()));
    int voxels = (int) Shapes.numel(spatial);
    // allocated when every window is blended, not before: the middle of the stream is its peak
    Labels[] segmentation = {null};
    float[] counts = new float[v.classes()];
    long[] predictedAt = {0};
    int[] explained = {0};
    int[] reached = {0};
    progress.start("predicting windows", grid.size());
    Lanes.Task<Lane, Object> task = (lane, s) -> {
      WindowSchedule.Step step = steps.get(s);
      if (step.forward()) {
        List<Integer> batch = WindowInference.batch(grid.size(), v.windowBatch(), step.batch());
        GradientEngine.Result r = forward.run(lane.forward(), WindowInference.crops(v.input(), grid, batch,
            v.padValue()), release[s]);
        return new Forwarded(batch, r.floats(scores), cuts(r, feeds, batch.size(), arrays));
      }
      int t = step.window();
      blended.await(step.after());
      // a predicted class: its region in the window, from the blended prediction (window coordinates)
      Optional<Target> windowed = fixedRegion != null ? WindowTargets.inWindow(target, grid, v.weights(), t)
          : target.onPrediction(new FloatTensor(blend.classCrop(t, cls), grid.window()))
              .restrict(new long[spatial.length], grid.window(), WindowTargets.share(grid, v.weights(), t));
      Map<String, FloatTensor> cut = held.remove(t);
      if (windowed.isEmpty()) {
        return new Explained(t, null, cut); // the target does not reach the window: no backward
      }
      Map<String, FloatTensor> in = new LinkedHashMap<>(cut);
      if (feeds.contains(v.inputName())) {
        in.put(v.inputName(), WindowInference.crops(v.input(), grid, List.of(t), v.padValue()));
      }
      return new Explained(t, lane.explainer().explainResized(oneWindow, in, List.of(windowed.get()), release[s]),
          cut);
    };
    Lanes.Sink<Object> sink = (s, result) -> {
      if (result instanceof Forwarded f) {
        blend.add(f.windows(), f.scores());
        for (int i = 0; i < f.windows().size(); i++) {
          held.put(f.windows().get(i), f.cuts().get(i));
        }
        progress.advance(f.windows().size());
        blended.done(steps.get(s).batch());
        if (steps.get(s).batch() == schedule.forwardSteps() - 1) {
          // every window is blended: the segmentation, the region and how many windows it reaches
          progress.finish();
          segmentation[0] = blend.segmentation(counts);
          // a predicted class's region is read from the segmentation, not copied into a float volume
          Labels seg = segmentation[0];
          java.util.function.IntPredicate inside = predicted ? x -> seg.get(x) == cls : x -> fixedRegion[x] > 0;
          for (int t = 0; t < grid.size(); t++) {
            reached[0] += WindowTargets.touches(WindowTargets.box(grid, t), inside) ? 1 : 0;
          }
          predictedAt[0] = System.nanoTime();
          // work that needs only the segmentation starts now, while pass 2's last windows run
          segmentationFinal.accept(seg);
          progress.start("explaining windows", reached[0]);
          progress.advance(explained[0]);
        }
      } else {
        Explained e = (Explained) result;
        if (e.explanation() != null) {
          stitch.add(List.of(e.window()), e.explanation());
          explained[0]++;
          if (predictedAt[0] != 0) {
            progress.advance(1);
          }
        }
        // only now: the observer may have read the activation from the cut
        arrays.giveBack(e.cut());
      }
    };
    // a forward step costs more than an explain step: each lane takes the next step when it is free
    Lanes.orderedAsFree(lanes, steps.size(), task, sink);
    progress.finish();
    if (explained[0] != reached[0]) {
      throw new IllegalStateException(explained[0] + " windows explained but the region reaches " + reached[0]);
    }
    return new Passes(blend, segmentation[0], counts, fixedRegion, reached[0], predictedAt[0]);
  }

  /** Each window's tensors of the cut, as [1, ...] (the model input itself is cropped when needed). */
  private static List<Map<String, FloatTensor>> cuts(GradientEngine.Result r, List<String> feeds, int windows,
      CutArrays arrays) {
    List<Map<String, FloatTensor>> out = new ArrayList<>();
    for (int i = 0; i < windows; i++) {
      out.add(new LinkedHashMap<>());
    }
    for (String name : feeds) {
      if (!r.has(name)) {
        continue; // the model input: cropped again when the window is explained
      }
      FloatTensor all = r.floats(name);
      for (int i = 0; i < windows; i++) {
        out.get(i).put(name, arrays.copy(all, i));
      }
    }
    return out;
  }

  /**
   * Per step, whether it is among the last {@code lanes} steps of its kind: the lanes take steps
   * as they are free, so each lane most likely runs one of them, and its session gives its working
   * memory back after it, for the rest of the stream or the next volume.
   */
  private static boolean[] lastStepsOnLanes(List<WindowSchedule.Step> steps, int lanes) {
    boolean[] last = new boolean[steps.size()];
    int[] seen = new int[2];
    for (int s = steps.size() - 1; s >= 0; s--) {
      int kind = steps.get(s).forward() ? 0 : 1;
      if (seen[kind] < Math.max(1, lanes)) {
        seen[kind]++;
        last[s] = true;
      }
    }
    return last;
  }
}
