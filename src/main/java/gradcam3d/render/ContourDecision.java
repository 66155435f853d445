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

  /**
   * Whether the outline is drawn when the rule or the region's share decides that alone (no
   * region, an empty one, rule never or always, more than half of the image): the same answer as
   * {@link #decide}, from one count; null when the region's pieces and outline must decide.
   */
  static Boolean decidedWithoutShape(Voxels v, ContourRule rule) {
    if (v.mask == null || rule == ContourRule.NEVER) {
      return false;
    }
    long inside = 0;
    for (int i = 0; i < v.mask.length; i++) {
      inside += v.inside(i) ? 1 : 0;
    }
    if (inside == 0) {
      return false;
    }
    if (rule == ContourRule.ALWAYS) {
      return true;
    }
    return inside / (double) v.mask.length > MAX_SHARE ? Boolean.FALSE : null;
  }

  static ContourDecision decide(Voxels v, ContourRule rule) {
    if (v.mask == null) {
      return noRegion(rule);
    }
    return decide(v, insideMask(v), rule); // one pass over the mask for both measures
  }

  /**
   * Same for a region given as its inside voxels {@code in} on the grid of {@code v} (whose
   * arrays are not read: only its size and spacing), e.g. a segmentation's voxels of a class.
   */
  static ContourDecision decide(Voxels v, boolean[] in, ContourRule rule) {
    Runs runs = Runs.of(v, in);
    int[] sizes = runs.sizes;
    long inside = Arrays.stream(sizes).asLongStream().sum();
    double share = inside / (double) in.length;
    int main = mainPieces(sizes, inside);
    double ratio = inside == 0 ? 0 : outlineRatio(v, runs.pairs, inside);
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

  /**
   * See {@link #outlineRatio()}; axes of size 1 (a 2D image's Z) are left out. {@code pairs}:
   * neighbouring voxels both inside, along Z, Y and X.
   */
  static double outlineRatio(Voxels v, long[] pairs, long inside) {
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
    // faces between inside and outside (or the edge) per axis: each inside voxel has two faces
    // across the axis, less one for each inside neighbour along it (a pair of inside neighbours
    // hides two), then weighed by face area
    long[] faces = new long[3];
    for (int a = 0; a < 3; a++) {
      faces[a] = 2 * (inside - pairs[a]);
    }
    double surface = 0;
    for (int a = 0; a < 3; a++) {
      if (used[a]) {
        surface += faces[a] * (cell / v.spacing[a]);
      }
    }
    double volume = inside * cell;
    double ball = dims == 3 ? Math.cbrt(36 * Math.PI * volume * volume)
        : 2 * Math.sqrt(Math.PI * volume);
    return surface / ball;
  }

  private static boolean[] insideMask(Voxels v) {
    boolean[] in = new boolean[v.mask.length];
    for (int i = 0; i < in.length; i++) {
      in[i] = v.inside(i);
    }
    return in;
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

  /**
   * Voxel counts of the region's 6-connected pieces, in the order of each piece's first voxel: the
   * region's runs along x (one scan), each joined to the runs it touches in the row before it
   * along y and along z (union-find over runs, the smaller index the root), then one counting
   * pass over the runs.
   */
  static int[] pieceSizes(Voxels v) {
    return Runs.of(v, insideMask(v)).sizes;
  }

  /**
   * What the region's runs along x give: its pieces' sizes ({@link #pieceSizes}), and its inside
   * neighbour pairs along Z, Y and X for the outline ({@link #outlineRatio}): along x, a run of n
   * voxels holds n - 1; along y and z, two runs in neighbouring rows share as many as they overlap
   * (counted while the runs are joined, not in further passes over the voxels).
   */
  private record Runs(int[] sizes, long[] pairs) {
    static Runs of(Voxels v, boolean[] in) {
      int w = v.width;
      int rows = v.depth * v.height;
      // runs in scan order: x of the first voxel, x after the last; row r's runs from rowStart[r]
      int[] from = new int[16];
      int[] to = new int[16];
      int[] rowStart = new int[rows + 1];
      int runs = 0;
      long alongX = 0;
      for (int r = 0; r < rows; r++) {
        rowStart[r] = runs;
        int base = r * w;
        for (int x = 0; x < w; x++) {
          if (!in[base + x]) {
            continue;
          }
          if (runs == from.length) {
            from = Arrays.copyOf(from, 2 * runs);
            to = Arrays.copyOf(to, 2 * runs);
          }
          from[runs] = x;
          while (x < w && in[base + x]) {
            x++;
          }
          alongX += x - from[runs] - 1;
          to[runs++] = x;
        }
      }
      rowStart[rows] = runs;
      int[] parent = new int[runs];
      for (int k = 0; k < runs; k++) {
        parent[k] = k;
      }
      long alongY = 0;
      long alongZ = 0;
      for (int r = 0; r < rows; r++) {
        if (r % v.height > 0) {
          alongY += joinTouching(parent, from, to, rowStart, r, r - 1);
        }
        if (r >= v.height) {
          alongZ += joinTouching(parent, from, to, rowStart, r, r - v.height);
        }
      }
      // a root is a piece's first run (unions keep the smaller), so pieces number in scan order
      int[] piece = new int[runs];
      int[] sizes = new int[16];
      int count = 0;
      for (int k = 0; k < runs; k++) {
        int root = find(parent, k);
        if (root == k) {
          if (count == sizes.length) {
            sizes = Arrays.copyOf(sizes, 2 * count);
          }
          piece[k] = count++;
        }
        sizes[piece[root]] += to[k] - from[k];
      }
      return new Runs(Arrays.copyOf(sizes, count), new long[] {alongZ, alongY, alongX});
    }
  }

  /**
   * Joins each run of row {@code r} with the runs of row {@code before} it overlaps along x;
   * returns the voxels they overlap by (neighbour pairs across the two rows).
   */
  private static long joinTouching(int[] parent, int[] from, int[] to, int[] rowStart, int r, int before) {
    long shared = 0;
    int j = rowStart[before];
    int jEnd = rowStart[before + 1];
    for (int k = rowStart[r], kEnd = rowStart[r + 1]; k < kEnd && j < jEnd; ) {
      if (from[k] < to[j] && from[j] < to[k]) {
        union(parent, j, k);
        shared += Math.min(to[k], to[j]) - Math.max(from[k], from[j]);
      }
      // the run that ends first touches nothing further along x
      if (to[k] < to[j]) {
        k++;
      } else {
        j++;
      }
    }
    return shared;
  }

  private static int find(int[] parent, int i) {
    int r = i;
    while (parent[r] != r) {
      r = parent[r];
    }
    while (parent[i] != r) { // path compression
      int next = parent[i];
      parent[i] = r;
      i = next;
    }
    return r;
  }

  private static void union(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra < rb) {
      parent[rb] = ra;
    } else if (rb < ra) {
      parent[ra] = rb;
    }
  }
}
