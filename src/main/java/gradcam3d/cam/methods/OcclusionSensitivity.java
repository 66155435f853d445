package gradcam3d.cam.methods;

import gradcam3d.Defaults;
import gradcam3d.OptionValueException;
import gradcam3d.Setting;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.MethodOptions;
import gradcam3d.cam.OcclusionGrid;
import gradcam3d.cam.PatchScorer;
import gradcam3d.cam.Progress;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Occlusion sensitivity as MONAI 1.3.2's OcclusionSensitivity computes it for a network wrapped to
 * return the target T (activate False): windows of {@code size} placed by {@link OcclusionGrid}
 * (from {@code overlap}, or the largest overlap whose passes fit {@code budget}), each occluded by
 * the {@link OcclusionMode}, and the target T_w of every occluded copy blended back over the
 * voxels: sensitivity(v) = sum_w imp(v - s_w) T_w / sum_w imp(v - s_w) over the windows w
 * containing v, with MONAI's importance map imp (Gaussian for the gaussian mode, else constant).
 * The attribution [1, 1, *S] is the drop T(x) - sensitivity (blended from the per-window drops);
 * the map is the attribution itself (ReLU and min-max follow as for every map).
 */
public final class OcclusionSensitivity implements CamMethod.Occluding {
  private final long[] size;
  private final Double overlap;
  private final OcclusionMode mode;
  private final Long budget;

  /**
   * @param size one size for every spatial axis, or one per axis
   * @param overlap the windows' overlap in [0, 1); null: {@link Defaults#OCCLUSION_OVERLAP}, or chosen by the budget
   * @param budget at most this many forward passes (the largest overlap that fits); null: none
   */
  public OcclusionSensitivity(long[] size, Double overlap, OcclusionMode mode, Long budget) {
    if (size.length == 0 || Arrays.stream(size).anyMatch(s -> s < 1)) {
      throw new OptionValueException(Setting.OCCLUSION_SIZE, Setting.OCCLUSION_SIZE.label()
          + " must be positive sizes N or Z,Y,X, not " + Arrays.toString(size));
    }
    if (overlap != null) {
      OcclusionGrid.checkOverlap(overlap);
    }
    if (budget != null && budget < 1) {
      throw new OptionValueException(Setting.OCCLUSION_BUDGET, Setting.OCCLUSION_BUDGET.label()
          + " must be at least 1, not " + budget);
    }
    if (overlap != null && budget != null) {
      throw new OptionValueException(Setting.OCCLUSION_BUDGET, "give " + Setting.OCCLUSION_OVERLAP.label() + " or "
          + Setting.OCCLUSION_BUDGET.label() + ", not both: the budget chooses the overlap");
    }
    this.size = size.clone();
    this.overlap = overlap;
    this.mode = mode;
    this.budget = budget;
  }

  /** MONAI's defaults. */
  public OcclusionSensitivity() {
    this(new long[] {Defaults.OCCLUSION_SIZE}, null, OcclusionMode.parse(Defaults.OCCLUSION_MODE), null);
  }

  @Override
  public String name() {
    return "occlusion";
  }

  /** From the command line's forms: the size N or Z,Y,X (positive integers, as its converter checked), the mode's spelling. */
  @Override
  public CamMethod withOptions(MethodOptions o) {
    long[] sizes = Arrays.stream(o.occlusionSize().split(",")).mapToLong(Long::parseLong).toArray();
    return new OcclusionSensitivity(sizes, o.occlusionOverlap(), OcclusionMode.parse(o.occlusionMode()),
        o.occlusionBudget());
  }

  public OcclusionMode mode() {
    return mode;
  }

  /** The window size as given: one size for every axis, or one per axis. */
  public long[] size() {
    return size.clone();
  }

  /** The overlap as given, or null (the default, or chosen by the budget). */
  public Double overlap() {
    return overlap;
  }

  /** The budget of forward passes, or null. */
  public Long budget() {
    return budget;
  }

  /** The window size for a volume of {@code spatial} (a single size applies to every axis). */
  public long[] sizeFor(long[] spatial) {
    long[] m = size.length == 1 ? filled(spatial.length, size[0]) : size.clone();
    OcclusionGrid.checkFits(spatial, m);
    return m;
  }

  private static long[] filled(int n, long v) {
    long[] a = new long[n];
    Arrays.fill(a, v);
    return a;
  }

  /** The window grid over a volume of {@code spatial}, for a scorer that counts passes. */
  public OcclusionGrid grid(long[] spatial, PatchScorer scorer) {
    long[] m = sizeFor(spatial);
    return budget == null ? OcclusionGrid.of(spatial, m, overlap == null ? Defaults.OCCLUSION_OVERLAP : overlap)
        : OcclusionGrid.forBudget(spatial, m, budget, scorer::passes);
  }

  @Override
  public Explanation.Attribution attribute(FloatTensor x, PatchScorer scorer, Progress progress) {
    long[] spatial = Arrays.copyOfRange(x.shape(), 2, x.rank());
    OcclusionGrid grid = grid(spatial, scorer);
    long passes = scorer.passes(grid);
    scorer.checkMemory(grid);
    // the count first: the progress line names it before any pass runs
    progress.start(String.format(java.util.Locale.ROOT, "occlusion: %d windows of %s, overlap %s, %s: %d "
        + "forward passes (%s)", grid.count(), OcclusionGrid.join(grid.size()), OcclusionGrid.format(grid.overlap()),
        mode.label(), passes, scorer.describe(grid)), passes);
    long t0 = System.nanoTime();
    PatchScorer.Scores s = scorer.score(grid, mode.occluder(x, grid.size()), progress);
    progress.finish();
    double seconds = (System.nanoTime() - t0) / 1e9;
    double[] sensitivity = new double[s.drops().length];
    for (int i = 0; i < sensitivity.length; i++) {
      sensitivity[i] = s.unperturbed() - s.drops()[i];
    }
    long[] mapShape = Shapes.concat(new long[] {1, 1}, spatial);
    float[] importance = importance(grid.size(), mode.gaussianBlend());
    FloatTensor drop = new FloatTensor(blend(grid, importance, s.drops()), mapShape);
    FloatTensor sens = new FloatTensor(blend(grid, importance, sensitivity), mapShape);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("size", grid.size());
    p.put("overlap", grid.overlap());
    p.put("mode", mode.label());
    p.put("blend", mode.gaussianBlend() ? "gaussian" : "constant");
    p.put("budget", budget);
    p.put("grid", grid.counts());
    p.put("windows", grid.count());
    p.put("passes_are", scorer.describe(grid));
    return new Explanation.Attribution(drop, null, Map.of("sensitivity", sens),
        new Explanation.Cost(name(), passes, seconds, p));
  }

  @Override
  public FloatTensor map(FloatTensor attribution) {
    long[] s = attribution.shape();
    long[] out = new long[s.length - 1];
    out[0] = s[0];
    System.arraycopy(s, 2, out, 1, s.length - 2);
    return attribution.reshape(out);
  }

  /**
   * MONAI's importance map over a window of {@code size} (compute_importance_map, sigma_scale
   * 0.125): Gaussian exp(-d^2 / (2 (0.125 m)^2)) per axis, d from the window centre (m - 1) / 2,
   * their product clamped below at max(its minimum, 1e-3); or constant 1.
   */
  public static float[] importance(long[] size, boolean gaussian) {
    int n = (int) Shapes.numel(size);
    float[] w = new float[n];
    if (!gaussian) {
      Arrays.fill(w, 1f);
      return w;
    }
    int r = size.length;
    float min = Float.POSITIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      double v = 1;
      int rest = i;
      for (int a = r - 1; a >= 0; a--) {
        int m = (int) size[a];
        double d = rest % m - (m - 1) / 2.0;
        double sigma = 0.125 * m;
        v *= Math.exp(d * d / (-2 * sigma * sigma));
        rest /= m;
      }
      w[i] = (float) v;
      min = Math.min(min, w[i]);
    }
    float floor = Math.max(min, 1e-3f);
    for (int i = 0; i < n; i++) {
      w[i] = Math.max(w[i], floor);
    }
    return w;
  }

  /** sum_w imp(v - s_w) value_w / sum_w imp(v - s_w) per voxel v, in double. */
  static float[] blend(OcclusionGrid grid, float[] importance, double[] values) {
    long[] volume = grid.volume();
    long[] m = grid.size();
    int voxels = (int) Shapes.numel(volume);
    double[] num = new double[voxels];
    double[] den = new double[voxels];
    long[] strides = Shapes.strides(volume);
    int r = volume.length;
    for (int w = 0; w < values.length; w++) {
      long[] start = grid.start(w);
      for (int j = 0; j < importance.length; j++) {
        long v = 0;
        int rest = j;
        for (int a = r - 1; a >= 0; a--) {
          v += (start[a] + rest % m[a]) * strides[a];
          rest /= (int) m[a];
        }
        num[(int) v] += importance[j] * values[w];
        den[(int) v] += importance[j];
      }
    }
    float[] out = new float[voxels];
    for (int v = 0; v < voxels; v++) {
      out[v] = (float) (num[v] / den[v]);
    }
    return out;
  }
}
