package gradcam3d.window;

import gradcam3d.tensor.Shapes;

/**
 * One window placed on the volume: visits, row by row along the last axis, the stretches of the
 * window that lie inside the (unpadded) volume, with their flat offsets in both grids.
 */
final class WindowBox {
  /** A stretch of {@code length} voxels; {@code row} holds the window coordinates of its leading axes. */
  @FunctionalInterface
  interface Run {
    void visit(int windowOffset, int volumeOffset, int length, long[] row);
  }

  private final long[] start;
  private final long[] window;
  private final long[] volume;

  WindowBox(long[] start, long[] window, long[] volume) {
    this.start = start;
    this.window = window;
    this.volume = volume;
  }

  long[] start() {
    return start;
  }

  void forEachRun(Run run) {
    int r = window.length;
    int last = r - 1;
    int length = (int) Math.min(window[last], volume[last] - start[last]);
    if (length <= 0) {
      return;
    }
    long[] leading = java.util.Arrays.copyOf(window, last);
    long rows = Shapes.numel(leading);
    long[] wStr = Shapes.strides(window);
    long[] vStr = Shapes.strides(volume);
    long[] row = new long[last];
    for (long k = 0; k < rows; k++) {
      long rest = k;
      boolean inside = true;
      long wo = 0;
      long vo = start[last];
      for (int a = last - 1; a >= 0; a--) {
        row[a] = rest % window[a];
        rest /= window[a];
        long v = start[a] + row[a];
        inside &= v < volume[a];
        wo += row[a] * wStr[a];
        vo += v * vStr[a];
      }
      if (inside) {
        run.visit((int) wo, (int) vo, length, row);
      }
    }
  }
}
