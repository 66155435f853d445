package gradcam3d.window;

import java.util.ArrayList;
import java.util.List;

/**
 * The order in which the streamed passes run ({@link LayerStream}): forward steps (pass 1's
 * batches of windows, in window order) interleaved with explain steps (pass 2, one window each,
 * in window order). Window t's part of the blended prediction is final once the last window
 * overlapping it is added, so its explain step waits for that forward step ({@link Step#after});
 * it is placed one forward step later still, so that its lane rarely waits for the blending on
 * the calling thread. Every step waits only for strictly earlier steps. Windows held between
 * their forward and explain steps: for a 3x3x3 grid with overlap 0.5, at most 15.
 */
record WindowSchedule(List<Step> steps, int forwardSteps) {

  /** A forward step of batch {@code batch}, or (batch -1) the explain step of {@code window} after forward step {@code after}. */
  record Step(int batch, int window, int after) {
    boolean forward() {
      return batch >= 0;
    }
  }

  static WindowSchedule of(WindowGrid grid, int windowBatch) {
    int n = grid.size();
    int batches = (n + windowBatch - 1) / windowBatch;
    List<Step> steps = new ArrayList<>();
    int next = 0;
    int ready = -1;
    for (int b = 0; b <= batches; b++) {
      if (b < batches) {
        steps.add(new Step(b, -1, -1));
      }
      // window order: a window is explained after the windows before it, so after their blends too
      while (next < n) {
        int after = Math.max(ready, lastOverlapping(grid, next) / windowBatch);
        if (after > b - 1 && b < batches) {
          break;
        }
        ready = after;
        steps.add(new Step(-1, next++, after));
      }
    }
    return new WindowSchedule(List.copyOf(steps), batches);
  }

  /** The highest window index overlapping window t: per axis, the last start before t's end. */
  static int lastOverlapping(WindowGrid grid, int t) {
    long[] counts = grid.counts();
    int r = counts.length;
    long[] idx = gradcam3d.tensor.Shapes.unravel(t, counts);
    int flat = 0;
    for (int a = 0; a < r; a++) {
      long[] starts = grid.axisStarts().get(a);
      int i = (int) idx[a];
      long end = starts[i] + grid.window()[a];
      while (i + 1 < starts.length && starts[i + 1] < end) {
        i++;
      }
      flat = flat * (int) counts[a] + i;
    }
    return flat;
  }

  /** The most windows whose forward step has run but whose explain step has not, over the schedule. */
  int mostHeld(int windowBatch, int windows) {
    int held = 0;
    int most = 0;
    for (Step s : steps) {
      if (s.forward()) {
        held += Math.min(windowBatch, windows - s.batch() * windowBatch);
      } else {
        held--;
      }
      most = Math.max(most, held);
    }
    return most;
  }
}
