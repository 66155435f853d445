package gradcam3d.output;

import gradcam3d.Chunks;
import gradcam3d.Futures;
import gradcam3d.render.GrayWindow;
import gradcam3d.report.ValueRange;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Labels;
import gradcam3d.volume.AxisMap;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The grid the pictures and the report show: the display frame's grid ({@link DisplayFrame}) at
 * full resolution while it holds at most {@link #MAX_VOXELS} voxels, else in blocks of
 * {@code step} voxels per figure axis, so that what is drawn and stored scales with what is shown,
 * not with the scan. The finest axes (in mm) are coarsened first: a 512 x 512 x 300 CT of
 * 0.7 x 0.7 x 1 mm is shown as 256 x 256 x 150 blocks of 2 x 2 x 2 voxels. A block holds the mean
 * of its finite values (scan, maps) or their maximum (masks: a block is inside when any of its
 * voxels is, so small regions stay visible). Permutation, flips and reduction are one pass over
 * the stored tensor; nothing of the scan's size is copied.
 *
 * @param frame the display frame
 * @param step block size along each figure axis (Z, Y, X; a 2D image: Y, X); all 1: full resolution
 * @param full the frame's grid at full resolution, figure order
 */
public record DisplayGrid(DisplayFrame frame, int[] step, long[] full) {
  /** Voxels shown at full resolution at most: 256^3, well above the fixture, demo and bench cases. */
  public static final long MAX_VOXELS = 1L << 24;

  /** The grid of a frame within {@link #MAX_VOXELS}. */
  public static DisplayGrid of(DisplayFrame frame) {
    return of(frame, MAX_VOXELS);
  }

  static DisplayGrid of(DisplayFrame frame, long maxVoxels) {
    long[] full = frame.map().shapeAfter(frame.tensorShape());
    int rank = full.length;
    double[] spacing = frame.spacing() != null ? frame.spacing() : ones(rank);
    int[] step = new int[rank];
    Arrays.fill(step, 1);
    while (voxels(full, step) > maxVoxels) {
      int coarsen = -1;
      for (int d = 0; d < rank; d++) {
        if (blocks(full[d], step[d]) <= 1) {
          continue;
        }
        if (coarsen < 0 || spacing[d] * step[d] < spacing[coarsen] * step[coarsen] - 1e-9
            || (Math.abs(spacing[d] * step[d] - spacing[coarsen] * step[coarsen]) <= 1e-9
                && blocks(full[d], step[d]) > blocks(full[coarsen], step[coarsen]))) {
          coarsen = d;
        }
      }
      if (coarsen < 0) {
        break;
      }
      step[coarsen]++;
    }
    return new DisplayGrid(frame, step, full);
  }

  /** Whether every voxel is shown as it is. */
  public boolean fullResolution() {
    return Arrays.stream(step).allMatch(s -> s == 1);
  }

  /** The shown grid's shape, figure order. */
  public long[] shape() {
    long[] s = new long[full.length];
    for (int d = 0; d < s.length; d++) {
      s[d] = blocks(full[d], step[d]);
    }
    return s;
  }

  /** Voxel size along the figure axes (null: 1 mm at full resolution, as the frame says). */
  public double[] spacing() {
    if (fullResolution()) {
      return frame.spacing();
    }
    double[] base = frame.spacing() != null ? frame.spacing() : ones(full.length);
    double[] s = new double[base.length];
    for (int d = 0; d < s.length; d++) {
      s[d] = base[d] * step[d];
    }
    return s;
  }

  /** Voxel-to-world of the shown grid (NIfTI order: its i, j, k = figure X, Y, Z): block centres. */
  public double[][] affine() {
    double[][] a = frame.affine();
    if (a == null || fullResolution()) {
      return a;
    }
    double[][] out = new double[a.length][];
    int rank = full.length;
    for (int r = 0; r < a.length; r++) {
      out[r] = a[r].clone();
      if (r >= 3) {
        continue;
      }
      for (int d = 0; d < rank; d++) {
        int column = rank - 1 - d;
        out[r][column] = a[r][column] * step[d];
        out[r][3] += a[r][column] * (step[d] - 1) / 2.0;
      }
    }
    return out;
  }

  /** A shown index along figure axis d as the full-resolution index of its block's centre voxel. */
  public int fullIndex(int d, int shown) {
    long first = (long) shown * step[d];
    long size = Math.min(step[d], full[d] - first);
    return (int) Math.min(full[d] - 1, first + (size - 1) / 2);
  }

  /** A full-resolution index along figure axis d as the shown index of its block. */
  public int shownIndex(int d, int fullIndex) {
    return fullIndex / step[d];
  }

  /** "shown at 256 x 256 x 150 of 512 x 512 x 300 voxels (blocks of 2 x 2 x 2)", figure order Z, Y, X. */
  public String note() {
    return String.format(Locale.ROOT, "shown at %s of %s voxels (blocks of %s)", times(shape()), times(full),
        times(Arrays.stream(step).asLongStream().toArray()));
  }

  /**
   * A spatial tensor in the model's layout (the frame's tensor shape) on the shown grid, figure
   * order: block means ({@code max} false) or maxima. At full resolution exactly
   * {@link DisplayFrame#apply}; the tensor itself when the frame keeps its order (callers only read).
   */
  public FloatTensor apply(FloatTensor spatial, boolean max) {
    requireOnGrid(spatial);
    if (fullResolution()) {
      // figure order is the tensor's own: the volume itself (its readers only read), not a copy
      return frame.map().isIdentity() ? spatial : frame.apply(spatial);
    }
    return new FloatTensor(blocks(spatial, max, false).values(), shape());
  }

  /**
   * What {@link #apply} shows, with its values' range and, for a scan ({@link #applyScan}), the
   * voxels its gray window reads (else null).
   */
  public record Measured(FloatTensor values, ValueRange range, float[] samples) {}

  /**
   * {@link #apply} and the shown values' {@link ValueRange}: for block means found in the same
   * pass as the blocks (each row of blocks measured while it is in cache), else (maxima, full
   * resolution) by one more pass.
   */
  public Measured applyMeasured(FloatTensor spatial, boolean max) {
    if (fullResolution()) {
      FloatTensor shown = apply(spatial, max);
      return new Measured(shown, ValueRange.of(shown.data()), null);
    }
    requireOnGrid(spatial);
    Blocks b = blocks(spatial, max, false);
    // maxima (masks) are not measured with their blocks: the page does not quantise them
    return new Measured(new FloatTensor(b.values(), shape()), b.range() != null ? b.range() : ValueRange.of(b.values()),
        null);
  }

  /**
   * {@link #applyMeasured} of a scan (block means), with the voxels of the full-resolution scan
   * that its gray window reads ({@link GrayWindow#sampleStep}: every step-th in the tensor's own
   * order), gathered in the same pass, while each voxel line is in cache: no second pass over a
   * scan-sized volume for the window. Samples are null at full resolution, and where the shown
   * lines cross the tensor's lines (the window is then found from the scan itself). Every writer
   * that shows the scan asks for it this way, so that the scan is reduced once.
   */
  public Measured applyScan(FloatTensor scan) {
    if (fullResolution()) {
      return applyMeasured(scan, false);
    }
    requireOnGrid(scan);
    Blocks b = blocks(scan, false, true);
    return new Measured(new FloatTensor(b.values(), shape()), b.range(), b.samples());
  }

  private void requireOnGrid(FloatTensor spatial) {
    long[] shape = spatial.shape();
    long[] tail = Arrays.copyOfRange(shape, Math.max(0, shape.length - full.length), shape.length);
    if (!Arrays.equals(tail, frame.tensorShape()) || spatial.size() != numel(full)) {
      throw new IllegalArgumentException("a tensor of shape " + Arrays.toString(spatial.shape())
          + " is not on the frame's grid " + Arrays.toString(frame.tensorShape()));
    }
  }

  private Blocks blocks(FloatTensor spatial, boolean max, boolean sampled) {
    return SHOWN.get(spatial.data(), new Reduction(frame.map(), step, max, -1, sampled),
        () -> reduce(spatial, max, sampled));
  }

  /**
   * The voxels of class {@code cls} in a segmentation on the frame's grid (its spatial shape, model
   * layout), on the shown grid, figure order: what {@link #apply} with {@code max} gives for the
   * class's 0/1 mask, without a float volume of the mask.
   */
  public FloatTensor applyClass(Labels labels, int cls) {
    if (labels.size() != numel(full)) {
      throw new IllegalArgumentException("a segmentation of " + labels.size() + " voxels is not on the frame's grid "
          + Arrays.toString(frame.tensorShape()));
    }
    if (fullResolution()) {
      float[] mask = new float[labels.size()];
      for (int v = 0; v < mask.length; v++) {
        mask[v] = labels.get(v) == cls ? 1f : 0f;
      }
      FloatTensor inTensorOrder = new FloatTensor(mask, frame.tensorShape());
      return frame.map().isIdentity() ? inTensorOrder : frame.apply(inTensorOrder);
    }
    return new FloatTensor(SHOWN.get(labels, new Reduction(frame.map(), step, true, cls, false),
        () -> new Blocks(reduceClass(labels, cls), null, null)).values(), shape());
  }

  /**
   * How a volume was reduced (for a segmentation, which class; for a scan, with its gray window's
   * samples): the same reduction gives the same blocks.
   */
  private record Reduction(AxisMap map, List<Integer> step, boolean max, int cls, boolean sampled) {
    Reduction(AxisMap map, int[] step, boolean max, int cls, boolean sampled) {
      this(map, Arrays.stream(step).boxed().toList(), max, cls, sampled);
    }
  }

  /**
   * A volume's blocks and, for means, their range (null for maxima and a segmentation's class);
   * for a scan, its gray window's samples (null where not gathered).
   */
  private record Blocks(float[] values, ValueRange range, float[] samples) {}

  /**
   * The blocks of each large volume, while it lives: the pictures and the report show the same
   * scan and maps and reduce each once between them (both run at once: one computes, the other waits).
   */
  private static final Memo SHOWN = new Memo();

  /** Forgets every volume's blocks (a benchmark's next run starts cold). */
  static void forgetShown() {
    synchronized (SHOWN) {
      SHOWN.byVolume.clear();
    }
  }

  private static final class Memo {
    /** By the volume's identity: its float[] data or its {@link Labels}. */
    private final Map<Object, Map<Reduction, CompletableFuture<Blocks>>> byVolume = new WeakHashMap<>();

    Blocks get(Object volume, Reduction how, Supplier<Blocks> compute) {
      CompletableFuture<Blocks> mine = new CompletableFuture<>();
      CompletableFuture<Blocks> known;
      synchronized (this) {
        known = byVolume.computeIfAbsent(volume, v -> new HashMap<>()).putIfAbsent(how, mine);
      }
      if (known != null) {
        return Futures.join(known);
      }
      try {
        mine.complete(compute.get());
      } catch (RuntimeException | Error e) {
        synchronized (this) {
          Map<Reduction, CompletableFuture<Blocks>> m = byVolume.get(volume);
          if (m != null) {
            m.remove(how);
          }
        }
        mine.completeExceptionally(e);
        throw e;
      }
      return mine.join();
    }
  }

  /**
   * How the figure's blocks walk the model tensor: per figure axis (padded to Z, Y, X) the tensor
   * stride (negative where flipped), the full size and the block step; the blocks per axis, each
   * X's block, and the offset of figure voxel (0, 0, 0).
   */
  private record Walk(long[] stride, int[] n, int[] s, int[] m, int[] column, long origin) {
    /** Rows of blocks per task at most: tasks enough to share the cores, each with its own scratch. */
    static final int TASKS = 256;

    /**
     * Runs {@code rows} on runs of consecutive rows of blocks (Z, Y block pairs; from, to), in
     * parallel: a row's outputs are its own. Runs, not single rows, so that each task allocates
     * its scratch once (a row at a time, a scan's reduction allocated ~80 MB of it, and young
     * collections came that much sooner).
     */
    void forEachRowRun(RowRun rows) {
      int total = m[0] * m[1];
      int tasks = Math.min(total, TASKS);
      Chunks.run(tasks, t -> rows.run(t, (int) ((long) total * t / tasks),
          (int) ((long) total * (t + 1) / tasks)));
    }

    /** The number of tasks {@link #forEachRowRun} runs. */
    int tasks() {
      return Math.min(m[0] * m[1], TASKS);
    }
  }

  /** Rows of blocks [from, to), the task-th run of them. */
  private interface RowRun {
    void run(int task, int from, int to);
  }

  private Walk walk() {
    AxisMap map = frame.map();
    int rank = full.length;
    long[] tensorShape = frame.tensorShape();
    long[] inStride = new long[rank];
    long acc = 1;
    for (int a = rank - 1; a >= 0; a--) {
      inStride[a] = acc;
      acc *= tensorShape[a];
    }
    long[] stride = new long[3];
    int[] n = {1, 1, 1};
    int[] s = {1, 1, 1};
    long start = 0;
    for (int d = 0; d < rank; d++) {
      int p = d + 3 - rank;
      int src = map.source()[d];
      stride[p] = map.flip()[d] ? -inStride[src] : inStride[src];
      if (map.flip()[d]) {
        start += (tensorShape[src] - 1) * inStride[src];
      }
      n[p] = (int) full[d];
      s[p] = step[d];
    }
    int[] m = {blocks(n[0], s[0]), blocks(n[1], s[1]), blocks(n[2], s[2])};
    int[] column = new int[n[2]];
    for (int x = 0; x < n[2]; x++) {
      column[x] = x / s[2];
    }
    return new Walk(stride, n, s, m, column, start);
  }

  private Blocks reduce(FloatTensor spatial, boolean max, boolean sampled) {
    Walk w = walk();
    int[] m = w.m();
    float[] in = spatial.data();
    float[] out = new float[m[0] * m[1] * m[2]];
    ValueRange.Part[] parts = new ValueRange.Part[w.tasks()];
    // the gray window's samples, where each shown line is a line of the tensor (read forwards or backwards)
    int every = GrayWindow.sampleStep(in.length);
    float[] samples = sampled && Math.abs(w.stride()[2]) == 1
        ? new float[(int) (((long) in.length + every - 1) / every)] : null;
    // each voxel line is read once, in order; each row of means (a scan's, a map's: what the page
    // quantises) is measured while it is in cache
    w.forEachRowRun((task, from, to) -> {
      double[] sum = max ? null : new double[m[2]];
      ValueRange.Part part = max ? null : new ValueRange.Part();
      for (int row = from; row < to; row++) {
        if (cubes(w, row)) {
          // measures its means as it makes them
          cubeRow(in, w, row, max, out, part);
        } else if (max) {
          maxRow(in, w, row, out);
        } else {
          meanRow(in, w, row, sum, out);
          part.add(out, row * m[2], (row + 1) * m[2]);
        }
        if (samples != null) {
          gatherRow(in, w, row, every, samples);
        }
      }
      parts[task] = part;
    });
    if (max) {
      return new Blocks(out, null, samples);
    }
    ValueRange.Part all = new ValueRange.Part();
    for (ValueRange.Part p : parts) {
      all.add(p);
    }
    return new Blocks(out, all.range(out), samples);
  }

  /**
   * The voxels at the multiples of {@code every} (flat tensor index) on the voxel lines of a row of
   * blocks, each line a line of the tensor, into {@code samples} at index / every: every line is
   * in exactly one row, so the rows together gather each such voxel once.
   */
  private static void gatherRow(float[] in, Walk w, int row, int every, float[] samples) {
    long[] stride = w.stride();
    int[] n = w.n();
    int[] s = w.s();
    int[] m = w.m();
    int nx = n[2];
    int a = row / m[1];
    int c = row % m[1];
    for (int z = a * s[0], z1 = Math.min(n[0], (a + 1) * s[0]); z < z1; z++) {
      for (int y = c * s[1], y1 = Math.min(n[1], (c + 1) * s[1]); y < y1; y++) {
        int p = (int) (w.origin() + z * stride[0] + y * stride[1]);
        // the line's voxels in memory, whichever way the figure reads it
        int lo = stride[2] > 0 ? p : p - nx + 1;
        int k = (int) (((long) lo + every - 1) / every);
        for (long i = (long) k * every, end = (long) lo + nx; i < end; i += every, k++) {
          samples[k] = in[(int) i];
        }
      }
    }
  }

  /** Whether a row's blocks are 2 x 2 x 2 voxels (but a last one) along lines read forwards or backwards. */
  private static boolean cubes(Walk w, int row) {
    int[] s = w.s();
    int[] n = w.n();
    int[] m = w.m();
    long step = w.stride()[2];
    return s[0] == 2 && s[1] == 2 && s[2] == 2 && (step == 1 || step == -1)
        && (row / m[1]) * 2 + 2 <= n[0] && (row % m[1]) * 2 + 2 <= n[1];
  }

  /**
   * A row of 2 x 2 x 2 blocks (a 512 x 512 x 300 CT's): the four voxel lines of the row are read
   * side by side and each block's eight voxels added (or compared) at once, in voxel order, with
   * no running sums in memory: about half the time of {@link #meanRow} under the client compiler.
   * Blocks holding a NaN or an infinity (a non-finite sum) and a last block of one voxel column are
   * taken as {@link #meanRow} takes them. The same values as {@link #meanRow} and {@link #maxRow}.
   * Pieces of the row whose voxels are all +0.0 (a mask's background, a map's zeros) are found by
   * {@link Arrays#mismatch} (a vector loop even under the client compiler) and left as they are:
   * their blocks' mean and maximum are 0.0, which the output already holds. The means are added
   * to {@code part} as they are made, in order (means are finite or NaN: {@link ValueRange.Part#addFinite}).
   */
  private static void cubeRow(float[] in, Walk w, int row, boolean max, float[] out, ValueRange.Part part) {
    long[] stride = w.stride();
    int[] m = w.m();
    int mx = m[2];
    int x = (int) stride[2];
    int z0 = (row / m[1]) * 2;
    int y0 = (row % m[1]) * 2;
    int p00 = (int) (w.origin() + z0 * stride[0] + y0 * stride[1]);
    int p01 = p00 + (int) stride[1];
    int p10 = p00 + (int) stride[0];
    int p11 = p10 + (int) stride[1];
    int first = row * mx;
    int pairs = w.n()[2] / 2;
    // a row of background: four line checks
    boolean zeroRow = zeros(in, p00, x, 2 * pairs) && zeros(in, p01, x, 2 * pairs) && zeros(in, p10, x, 2 * pairs)
        && zeros(in, p11, x, 2 * pairs);
    if (zeroRow && pairs > 0 && part != null) {
      part.addFinite(0f, 0f, first);
    }
    for (int e = zeroRow ? pairs : 0; e < pairs; e += PIECE) {
      int blocks = Math.min(PIECE, pairs - e);
      int q = 2 * e * x;
      if (zeros(in, p00 + q, x, 2 * blocks) && zeros(in, p01 + q, x, 2 * blocks) && zeros(in, p10 + q, x, 2 * blocks)
          && zeros(in, p11 + q, x, 2 * blocks)) {
        if (part != null) {
          part.addFinite(0f, 0f, first + e);
        }
        continue;
      }
      if (max) {
        maxCubes(in, p00 + q, p01 + q, p10 + q, p11 + q, x, out, first + e, first + e + blocks);
      } else {
        meanCubes(in, w, z0, y0, p00 + q, p01 + q, p10 + q, p11 + q, x, out, first + e, first + e + blocks, 2 * e,
            part);
      }
    }
    // a last block one voxel wide
    for (int o = first + pairs; o < first + mx; o++) {
      int x0 = (o - first) * 2;
      out[o] = max ? blockMax(in, w, z0, y0, x0) : finiteMean(in, w, z0, z0 + 2, y0, y0 + 2, x0);
      if (part != null) {
        part.add(out, o, o + 1);
      }
    }
  }

  /** Blocks per piece of a row checked for +0.0 at once: long enough that a check costs little per voxel. */
  private static final int PIECE = 32;
  /** +0.0 to compare voxels with. */
  private static final float[] ZEROS = new float[2 * PIECE];

  /**
   * Whether the {@code count} voxels of a line from {@code p} on, in direction {@code x} (1 or -1),
   * are all +0.0 (bit for bit: not -0.0, not NaN).
   */
  private static boolean zeros(float[] in, int p, int x, int count) {
    int from = x > 0 ? p : p - count + 1;
    for (int end = from + count; from < end; from += ZEROS.length) {
      int n = Math.min(ZEROS.length, end - from);
      if (Arrays.mismatch(in, from, from + n, ZEROS, 0, n) >= 0) {
        return false;
      }
    }
    return true;
  }

  /** The maxima of blocks [o, end) of a row of 2 x 2 x 2 blocks whose lines start at p00..p11. */
  private static void maxCubes(float[] in, int p00, int p01, int p10, int p11, int x, float[] out, int o, int end) {
    for (; o < end; o++, p00 += 2 * x, p01 += 2 * x, p10 += 2 * x, p11 += 2 * x) {
      float t = larger(Float.NEGATIVE_INFINITY, in[p00]);
      t = larger(t, in[p00 + x]);
      t = larger(t, in[p01]);
      t = larger(t, in[p01 + x]);
      t = larger(t, in[p10]);
      t = larger(t, in[p10 + x]);
      t = larger(t, in[p11]);
      t = larger(t, in[p11 + x]);
      out[o] = t == Float.NEGATIVE_INFINITY ? 0 : t;
    }
  }

  /**
   * The means of blocks [o, end) of the row of 2 x 2 x 2 blocks at (z0, y0) whose lines start at
   * p00..p11, the first at column x0, added to {@code part} (their least, greatest and first
   * greatest, measured while each mean is in a register: no pass over the means for their range).
   */
  private static void meanCubes(float[] in, Walk w, int z0, int y0, int p00, int p01, int p10, int p11, int x,
      float[] out, int o, int end, int x0, ValueRange.Part part) {
    float least = Float.POSITIVE_INFINITY;
    float greatest = Float.NEGATIVE_INFINITY;
    int at = -1;
    for (; o < end; o++, x0 += 2, p00 += 2 * x, p01 += 2 * x, p10 += 2 * x, p11 += 2 * x) {
      // from 0.0, as the running sums start: a block of -0.0 is 0.0
      double u = 0.0 + in[p00] + in[p00 + x] + in[p01] + in[p01 + x] + in[p10] + in[p10 + x] + in[p11] + in[p11 + x];
      // u * 0.125 is u / 8 exactly (a power of two), without a division
      float v = u >= -Double.MAX_VALUE && u <= Double.MAX_VALUE ? (float) (u * 0.125)
          : finiteMean(in, w, z0, z0 + 2, y0, y0 + 2, x0);
      out[o] = v;
      // as ValueRange.Part.add: NaN fails both
      if (v < least) {
        least = v;
      }
      if (v > greatest) {
        greatest = v;
        at = o;
      }
    }
    part.addFinite(least, greatest, at);
  }

  /**
   * {@code v} when it is larger than {@code t}, else {@code t}: a NaN never wins. Small enough for
   * the client compiler to inline, unlike {@link Math#max} (which also orders -0.0 and NaN).
   */
  private static float larger(float t, float v) {
    return v > t ? v : t;
  }

  /** A row of 2 x 2 x 2 blocks of a segmentation: 1 where any of a block's eight voxels is of class {@code cls}, as {@link #cubeRow}. */
  private static void cubeClassRow(Labels labels, int cls, Walk w, int row, float[] out) {
    long[] stride = w.stride();
    int[] m = w.m();
    int x = (int) stride[2];
    int p00 = (int) (w.origin() + (row / m[1]) * 2 * stride[0] + (row % m[1]) * 2 * stride[1]);
    int p01 = p00 + (int) stride[1];
    int p10 = p00 + (int) stride[0];
    int p11 = p10 + (int) stride[1];
    int first = row * m[2];
    int end = first + w.n()[2] / 2;
    int o = first;
    for (; o < end; o++, p00 += 2 * x, p01 += 2 * x, p10 += 2 * x, p11 += 2 * x) {
      if (labels.get(p00) == cls || labels.get(p00 + x) == cls || labels.get(p01) == cls || labels.get(p01 + x) == cls
          || labels.get(p10) == cls || labels.get(p10 + x) == cls || labels.get(p11) == cls
          || labels.get(p11 + x) == cls) {
        out[o] = 1f;
      }
    }
    // a last block one voxel wide
    if (o < first + m[2] && (labels.get(p00) == cls || labels.get(p01) == cls || labels.get(p10) == cls
        || labels.get(p11) == cls)) {
      out[o] = 1f;
    }
  }

  /** The maximum of the voxels of the block at (z0, y0, x0) but NaN, 0 for none: as {@link #maxRow} gives it. */
  private static float blockMax(float[] in, Walk w, int z0, int y0, int x0) {
    long[] stride = w.stride();
    int[] n = w.n();
    int[] s = w.s();
    float t = Float.NEGATIVE_INFINITY;
    for (int z = z0; z < Math.min(n[0], z0 + s[0]); z++) {
      for (int y = y0; y < Math.min(n[1], y0 + s[1]); y++) {
        int p = (int) (w.origin() + z * stride[0] + y * stride[1] + x0 * stride[2]);
        for (int x = x0; x < Math.min(n[2], x0 + s[2]); x++, p += (int) stride[2]) {
          if (in[p] > t) {
            t = in[p];
          }
        }
      }
    }
    return t == Float.NEGATIVE_INFINITY ? 0 : t;
  }

  /**
   * The mean of the finite voxels of the block at rows z0..z1, y0..y1 from column x0, added in
   * voxel order in double (NaN for none): what {@link #meanRow} gives a block.
   */
  private static float finiteMean(float[] in, Walk w, int z0, int z1, int y0, int y1, int x0) {
    long[] stride = w.stride();
    int nx = w.n()[2];
    int sx = w.s()[2];
    int step = (int) stride[2];
    double u = 0;
    int voxels = 0;
    for (int z = z0; z < z1; z++) {
      for (int y = y0; y < y1; y++) {
        int p = (int) (w.origin() + z * stride[0] + y * stride[1] + (long) x0 * step);
        for (int x = x0, x1 = Math.min(nx, x0 + sx); x < x1; x++, p += step) {
          float v = in[p];
          if (v >= -Float.MAX_VALUE && v <= Float.MAX_VALUE) {
            u += v;
            voxels++;
          }
        }
      }
    }
    return voxels == 0 ? Float.NaN : (float) (u / voxels);
  }

  /**
   * The block means of one row of blocks. Every voxel is added unchecked, in voxel order (z, y,
   * then x within a block); a block whose sum is finite held only finite voxels (one NaN or
   * infinity makes the double sum non-finite for good), so only the rare other blocks are added
   * again skipping non-finite voxels, in the same order: the same sums as checking every voxel,
   * without a comparison per voxel. The loops are plain int/float arithmetic with the common
   * case (pairs along a contiguous line) written out, because the start-up JIT the launcher uses
   * (-XX:TieredStopAtLevel=1) neither unrolls nor inlines Float.isFinite.
   */
  private static void meanRow(float[] in, Walk w, int row, double[] sum, float[] out) {
    long[] stride = w.stride();
    int[] n = w.n();
    int[] s = w.s();
    int[] m = w.m();
    int mx = m[2];
    int nx = n[2];
    int sx = s[2];
    int step = (int) stride[2];
    int a = row / m[1];
    int c = row % m[1];
    int z0 = a * s[0];
    int z1 = Math.min(n[0], z0 + s[0]);
    int y0 = c * s[1];
    int y1 = Math.min(n[1], y0 + s[1]);
    Arrays.fill(sum, 0);
    // blocks of two voxels along a line read forwards or backwards: the scan-sized case
    int pairs = sx == 2 && (step == 1 || step == -1) ? nx / 2 : 0;
    for (int z = z0; z < z1; z++) {
      for (int y = y0; y < y1; y++) {
        int p = (int) (w.origin() + z * stride[0] + y * stride[1]);
        int e = 0;
        if (step == 1) {
          for (; e < pairs; e++, p += 2) {
            sum[e] = sum[e] + in[p] + in[p + 1];
          }
        } else if (step == -1) {
          for (; e < pairs; e++, p -= 2) {
            sum[e] = sum[e] + in[p] + in[p - 1];
          }
        }
        for (int x = e * sx; e < mx; e++) {
          int x1 = Math.min(nx, x + sx);
          double u = sum[e];
          for (; x < x1; x++, p += step) {
            u += in[p];
          }
          sum[e] = u;
        }
      }
    }
    int lines = (z1 - z0) * (y1 - y0);
    for (int e = 0, o = row * mx; e < mx; e++, o++) {
      double u = sum[e];
      int x0 = e * sx;
      int voxels = lines * (Math.min(nx, x0 + sx) - x0);
      // a NaN or an infinity in the block: its finite voxels only, in the same order
      out[o] = u >= -Double.MAX_VALUE && u <= Double.MAX_VALUE ? (float) (u / voxels)
          : finiteMean(in, w, z0, z1, y0, y1, x0);
    }
  }

  /**
   * The block maxima of one row of blocks (NaN voxels are passed over; a block of NaNs is 0),
   * loops as in {@link #meanRow}; the row's part of {@code out} holds the running maxima.
   */
  private static void maxRow(float[] in, Walk w, int row, float[] out) {
    long[] stride = w.stride();
    int[] n = w.n();
    int[] s = w.s();
    int[] m = w.m();
    int mx = m[2];
    int nx = n[2];
    int sx = s[2];
    int step = (int) stride[2];
    int a = row / m[1];
    int c = row % m[1];
    int first = row * mx;
    int last = first + mx;
    Arrays.fill(out, first, last, Float.NEGATIVE_INFINITY);
    int pairs = sx == 2 && (step == 1 || step == -1) ? nx / 2 : 0;
    for (int z = a * s[0], z1 = Math.min(n[0], (a + 1) * s[0]); z < z1; z++) {
      for (int y = c * s[1], y1 = Math.min(n[1], (c + 1) * s[1]); y < y1; y++) {
        int p = (int) (w.origin() + z * stride[0] + y * stride[1]);
        int o = first;
        for (int pairsEnd = first + pairs; o < pairsEnd; o++, p += 2 * step) {
          float t = out[o];
          float v = in[p];
          if (v > t) {
            t = v;
          }
          v = in[p + step];
          if (v > t) {
            t = v;
          }
          out[o] = t;
        }
        for (int x = (o - first) * sx; o < last; o++) {
          int x1 = Math.min(nx, x + sx);
          float t = out[o];
          for (; x < x1; x++, p += step) {
            float v = in[p];
            if (v > t) {
              t = v;
            }
          }
          out[o] = t;
        }
      }
    }
    for (int o = first; o < last; o++) {
      if (out[o] == Float.NEGATIVE_INFINITY) {
        out[o] = 0;
      }
    }
  }

  /** 1 for the blocks holding a voxel of class {@code cls}, else 0: the max-reduction of that class's mask. */
  private float[] reduceClass(Labels labels, int cls) {
    Walk w = walk();
    long[] stride = w.stride();
    int[] n = w.n();
    int[] s = w.s();
    int[] m = w.m();
    int[] column = w.column();
    long origin = w.origin();
    float[] out = new float[m[0] * m[1] * m[2]];
    w.forEachRowRun((task, from, to) -> {
      for (int row = from; row < to; row++) {
        if (cubes(w, row)) {
          cubeClassRow(labels, cls, w, row, out);
          continue;
        }
        int a = row / m[1];
        int c = row % m[1];
        for (int z = a * s[0], z1 = Math.min(n[0], (a + 1) * s[0]); z < z1; z++) {
          for (int y = c * s[1], y1 = Math.min(n[1], (c + 1) * s[1]); y < y1; y++) {
            long p = origin + z * stride[0] + y * stride[1];
            for (int x = 0, o = row * m[2]; x < n[2]; x++, p += stride[2]) {
              if (labels.get((int) p) == cls) {
                out[o + column[x]] = 1f;
              }
            }
          }
        }
      }
    });
    return out;
  }

  private static String times(long[] v) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < v.length; i++) {
      b.append(i == 0 ? "" : " x ").append(v[i]);
    }
    return b.toString();
  }

  private static int blocks(long n, int step) {
    return (int) ((n + step - 1) / step);
  }

  private static long numel(long[] full) {
    long v = 1;
    for (long n : full) {
      v *= n;
    }
    return v;
  }

  private static long voxels(long[] full, int[] step) {
    long v = 1;
    for (int d = 0; d < full.length; d++) {
      v *= blocks(full[d], step[d]);
    }
    return v;
  }

  private static double[] ones(int rank) {
    double[] o = new double[rank];
    Arrays.fill(o, 1);
    return o;
  }
}
