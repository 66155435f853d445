package gradcam3d.render;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Whether the figures outline the target region, and why. Under the rule auto the outline is
 * skipped where it would hide the map rather than show the region: when the region covers more
 * than half of the image, or when it is fragmented: more than {@value #MAX_MAIN_PIECES} pieces
 * are needed to hold 90% of its voxels (pieces are 6-connected, as scipy.ndimage.label counts
 * them; one body with a few stray voxels is still compact), or its outline is more than
 * {@value #MAX_OUTLINE_RATIO} times as long as a ball's of the same volume (a spongy region full
 * of holes, or many small pieces).
 *
 * @param rule the rule that was asked for
 * @param drawn whether the outline is drawn
 * @param reason one sentence a person can read in summary.json
 * @param regionShare fraction of the image's voxels inside the region
 * @param pieces number of 6-connected pieces of the region
 * @param mainPieces fewest pieces that together hold 90% of the region's voxels
 * @param outlineRatio the region's surface in mm^2 (for a 2D image its perimeter in mm), voxel
 *     faces between inside and outside or the image's edge, over a ball's (disk's) of the same
 *     volume (area): about 1.5 for a voxelised ball, 1.24 for a cube
 */
public record ContourDecision(ContourRule rule, boolean drawn, String reason, double regionShare,
    int pieces, int mainPieces, double outlineRatio) {
  static final double MAX_SHARE = 0.5;
  static final double MAIN_FRACTION = 0.9;
  static final int MAX_MAIN_PIECES = 5;
  static final double MAX_OUTLINE_RATIO = 4;

  /** The decision without a target region (e.g. a classifier's class). */
  static ContourDecision noRegion(ContourRule rule) {
    return new ContourDecision(rule, false, "no target region to outline", 0, 0, 0, 0);
  }

  static ContourDecision decide(Voxels v, ContourRule rule) {
    if (v.mask == null) {
      return noRegion(rule);
    }
    int[] sizes = pieceSizes(v);
    long inside = Arrays.stream(sizes).asLongStream().sum();
    double share = inside / (double) v.mask.length;
    int main = mainPieces(sizes, inside);
    double ratio = inside == 0 ? 0 : outlineRatio(v, inside);
    String stats = String.format(Locale.ROOT, "90%% of it in %d of its %d piece%s, outline %.1fx"
        + " a ball's, %.1f%% of the image", main, sizes.length, sizes.length == 1 ? "" : "s",
        ratio, 100 * share);
    boolean drawn;
    String reason;
    if (inside == 0) {
      drawn = false;
      reason = "the target region is empty";
    } else if (rule == ContourRule.NEVER) {
      drawn = false;
      reason = "contour rule never (" + stats + ")";
    } else if (rule == ContourRule.ALWAYS) {
      drawn = true;
      reason = "contour rule always (" + stats + ")";
    } else if (share > MAX_SHARE) {
      drawn = false;
      reason = String.format(Locale.ROOT,
          "skipped: the region covers %.1f%% of the image, an outline would hide the map",
          100 * share);
    } else if (main > MAX_MAIN_PIECES) {
      drawn = false;
      reason = String.format(Locale.ROOT, "skipped: the region is fragmented, 90%% of it lies in"
          + " %d of its %d pieces, an outline would hide the map", main, sizes.length);
    } else if (ratio > MAX_OUTLINE_RATIO) {
      drawn = false;
      reason = String.format(Locale.ROOT, "skipped: the region is ragged, its outline is %.1f"
          + " times as long as a ball's of the same volume, it would hide the map", ratio);
    } else {
      drawn = true;
      reason = "drawn: a compact region (" + stats + ")";
    }
    return new ContourDecision(rule, drawn, reason, share, sizes.length, main, ratio);
  }

  /** The decision as summary.json shows it. */
  public Map<String, Object> summary() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rule", rule.key());
    m.put("drawn", drawn);
    m.put("reason", reason);
    m.put("region_share", regionShare);
    m.put("pieces", pieces);
    m.put("pieces_holding_90pct", mainPieces);
    m.put("outline_ratio", outlineRatio);
    return m;
  }

  /** See {@link #outlineRatio()}; axes of size 1 (a 2D image's Z) are left out. */
  static double outlineRatio(Voxels v, long inside) {
    int[] size = {v.depth, v.height, v.width};
    int[] stride = {v.height * v.width, v.width, 1};
    boolean[] used = {v.depth > 1, v.height > 1, v.width > 1};
    int dims = 0;
    double cell = 1;
    for (int a = 0; a < 3; a++) {
      if (used[a]) {
        dims++;
        cell *= v.spacing[a];
      }
    }
    if (dims < 2) {
      return 1;
    }
    double[] face = new double[3];
    for (int a = 0; a < 3; a++) {
      face[a] = used[a] ? cell / v.spacing[a] : 0;
    }
    double surface = 0;
    for (int z = 0, i = 0; z < v.depth; z++) {
      for (int y = 0; y < v.height; y++) {
        for (int x = 0; x < v.width; x++, i++) {
          if (!v.inside(i)) {
            continue;
          }
          int[] at = {z, y, x};
          for (int a = 0; a < 3; a++) {
            if (!used[a]) {
              continue;
            }
            if (at[a] == 0 || !v.inside(i - stride[a])) {
              surface += face[a];
            }
            if (at[a] == size[a] - 1 || !v.inside(i + stride[a])) {
              surface += face[a];
            }
          }
        }
      }
    }
    double volume = inside * cell;
    double ball = dims == 3 ? Math.cbrt(36 * Math.PI * volume * volume)
        : 2 * Math.sqrt(Math.PI * volume);
    return surface / ball;
  }

  private static int mainPieces(int[] sizes, long inside) {
    int[] desc = sizes.clone();
    Arrays.sort(desc);
    long held = 0;
    int n = 0;
    for (int i = desc.length - 1; i >= 0 && held < MAIN_FRACTION * inside; i--) {
      held += desc[i];
      n++;
    }
    return n;
  }

  /** Voxel counts of the region's 6-connected pieces, by flood fill. */
  static int[] pieceSizes(Voxels v) {
    boolean[] seen = new boolean[v.mask.length];
    Fill fill = new Fill(v, seen);
    int[] sizes = new int[16];
    int count = 0;
    for (int start = 0; start < seen.length; start++) {
      if (!seen[start] && v.inside(start)) {
        if (count == sizes.length) {
          sizes = Arrays.copyOf(sizes, 2 * count);
        }
        sizes[count++] = fill.from(start);
      }
    }
    return Arrays.copyOf(sizes, count);
  }

  /** Breadth-first flood fill; its queue grows with the largest piece, not the whole image. */
  private static final class Fill {
    private final Voxels v;
    private final boolean[] seen;
    private final int plane;
    private int[] queue = new int[1024];
    private int tail;

    Fill(Voxels v, boolean[] seen) {
      this.v = v;
      this.seen = seen;
      this.plane = v.height * v.width;
    }

    /** Marks the piece holding voxel start as seen and returns its size. */
    int from(int start) {
      tail = 0;
      visit(start);
      for (int head = 0; head < tail; head++) {
        int i = queue[head];
        int x = i % v.width;
        int y = (i / v.width) % v.height;
        int z = i / plane;
        if (x > 0) {
          visit(i - 1);
        }
        if (x < v.width - 1) {
          visit(i + 1);
        }
        if (y > 0) {
          visit(i - v.width);
        }
        if (y < v.height - 1) {
          visit(i + v.width);
        }
        if (z > 0) {
          visit(i - plane);
        }
        if (z < v.depth - 1) {
          visit(i + plane);
        }
      }
      return tail;
    }

    private void visit(int i) {
      if (!seen[i] && v.inside(i)) {
        seen[i] = true;
        if (tail == queue.length) {
          queue = Arrays.copyOf(queue, 2 * tail);
        }
        queue[tail++] = i;
      }
    }
  }
}
