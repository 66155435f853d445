package gradcam3d.render;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Which axial slices a montage shows and how its tiles are arranged.
 *
 * <p>With a given step n, slices are every n-th one of the volume, aligned so that the overlay's
 * axial slice (by default the one through the CAM peak) is among them: z = anchor mod n, then
 * every n-th slice after it. Without a step, a volume up to {@value #MAX_TILES} slices deep shows
 * every slice; a deeper one shows the slices that carry the map: the range of slices holding
 * 99% of the CAM's mass (widened to the anchor and to at least {@value #MIN_TILES} slices), every
 * n-th with the smallest n giving at most {@value #MAX_TILES} tiles, aligned on the anchor.
 *
 * @param every step between shown slices
 * @param slices the z indices shown, in tile order (row by row, left to right)
 * @param columns tiles per row
 * @param rows number of tile rows
 * @param labels tile labels in tile order: the index ("z=12"), and for NIfTI the position in mm
 */
public record MontagePlan(int every, List<Integer> slices, int columns, int rows,
    List<String> labels) {
  static final int MAX_TILES = 24;
  static final int MIN_TILES = 12;
  /** Share of the CAM's mass left out at each end of the slice range. */
  static final double TAIL = 0.005;

  public MontagePlan {
    slices = List.copyOf(slices);
    labels = List.copyOf(labels);
  }

  /**
   * Evenly spaced slices over the whole volume.
   *
   * @param depth number of axial slices
   * @param every user-given step, or null
   * @param anchor a slice that must be shown
   * @param tileAspect tile height / width, used to make the grid roughly square
   */
  static MontagePlan of(int depth, Integer every, int anchor, double tileAspect) {
    int step = every != null ? every : Math.max(1, (depth + MAX_TILES - 1) / MAX_TILES);
    return spaced(0, depth - 1, step, anchor, tileAspect);
  }

  /**
   * Slices where the map is (see the class comment).
   *
   * @param sliceMass the CAM's sum over each axial slice
   */
  static MontagePlan where(double[] sliceMass, Integer every, int anchor, double tileAspect) {
    int depth = sliceMass.length;
    if (every != null || depth <= MAX_TILES) {
      return of(depth, every, anchor, tileAspect);
    }
    double total = 0;
    for (double m : sliceMass) {
      total += m;
    }
    int lo = 0;
    int hi = depth - 1;
    if (total > 0) {
      double below = 0;
      while (lo < hi && below + sliceMass[lo] <= TAIL * total) {
        below += sliceMass[lo++];
      }
      double above = 0;
      while (hi > lo && above + sliceMass[hi] <= TAIL * total) {
        above += sliceMass[hi--];
      }
    }
    lo = Math.min(lo, anchor);
    hi = Math.max(hi, anchor);
    while (hi - lo + 1 < MIN_TILES) { // widen evenly, for context around a small map
      if (lo > 0) {
        lo--;
      }
      if (hi < depth - 1 && hi - lo + 1 < MIN_TILES) {
        hi++;
      }
    }
    int count = hi - lo + 1;
    return spaced(lo, hi, (count + MAX_TILES - 1) / MAX_TILES, anchor, tileAspect);
  }

  /** Every step-th slice in [lo, hi] that lines up with the anchor. */
  private static MontagePlan spaced(int lo, int hi, int step, int anchor, double tileAspect) {
    int first = lo + Math.floorMod(anchor - lo, step);
    List<Integer> zs = new ArrayList<>();
    for (int z = first; z <= hi; z += step) {
      zs.add(z);
    }
    int count = zs.size();
    int columns = (int) Math.ceil(Math.sqrt(count * tileAspect) - 1e-9);
    columns = Math.max(1, Math.min(count, columns));
    List<String> labels = zs.stream().map(z -> "z=" + z).toList();
    return new MontagePlan(step, zs, columns, (count + columns - 1) / columns, labels);
  }

  /** The same plan with labels made by label(z). */
  MontagePlan labelledBy(IntFunction<String> label) {
    return new MontagePlan(every, slices, columns, rows,
        slices.stream().map(label::apply).toList());
  }
}
