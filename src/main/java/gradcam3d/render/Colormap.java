package gradcam3d.render;

import gradcam3d.Gradcam3dException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maps a value in [0,1] to an sRGB colour through a 256-entry table, interpolating linearly
 * between neighbouring entries so that smooth CAMs do not show 256 visible bands.
 *
 * <p>The tables are built from control points: jet from its piecewise-linear definition, and
 * viridis, inferno and turbo from every 16th entry (plus the last) of their published 256-entry
 * tables, which keeps each map within a few levels of the original.
 */
public final class Colormap {
  private static final int SIZE = 256;

  public static final Colormap GRAY = new Colormap("gray",
      ramp(0, 0, 1, 1), ramp(0, 0, 1, 1), ramp(0, 0, 1, 1));

  /** Classic jet: dark blue, blue, cyan, yellow, red, dark red. */
  public static final Colormap JET = new Colormap("jet",
      ramp(0, 0, 0.35, 0, 0.66, 1, 0.89, 1, 1, 0.5),
      ramp(0, 0, 0.125, 0, 0.375, 1, 0.64, 1, 0.91, 0, 1, 0),
      ramp(0, 0.5, 0.11, 1, 0.34, 1, 0.65, 0, 1, 0));

  public static final Colormap TURBO = listed("turbo", new double[][] {
      {0.18995, 0.07176, 0.23217}, {0.25107, 0.25237, 0.63374}, {0.27628, 0.42118, 0.89123},
      {0.25862, 0.57958, 0.99876}, {0.15844, 0.73551, 0.92305}, {0.09267, 0.86554, 0.76230},
      {0.19659, 0.94901, 0.59466}, {0.42778, 0.99419, 0.38575}, {0.64362, 0.98999, 0.23356},
      {0.80473, 0.92452, 0.20459}, {0.93301, 0.81236, 0.22667}, {0.99314, 0.67408, 0.20348},
      {0.98360, 0.49291, 0.12849}, {0.92105, 0.31489, 0.05475}, {0.81608, 0.18462, 0.01809},
      {0.66449, 0.08436, 0.00424}, {0.47960, 0.01583, 0.01055}});

  public static final Colormap VIRIDIS = listed("viridis", new double[][] {
      {0.267004, 0.004874, 0.329415}, {0.282327, 0.094955, 0.417331},
      {0.278826, 0.175490, 0.483397}, {0.258965, 0.251537, 0.524736},
      {0.229739, 0.322361, 0.545706}, {0.199430, 0.387607, 0.554642},
      {0.172719, 0.448791, 0.557885}, {0.149039, 0.508051, 0.557250},
      {0.127568, 0.566949, 0.550556}, {0.120638, 0.625828, 0.533488},
      {0.157851, 0.683765, 0.501686}, {0.246070, 0.738910, 0.452024},
      {0.369214, 0.788888, 0.382914}, {0.515992, 0.831158, 0.294279},
      {0.678489, 0.863742, 0.189503}, {0.845561, 0.887322, 0.099702},
      {0.993248, 0.906157, 0.143936}});

  public static final Colormap INFERNO = listed("inferno", new double[][] {
      {0.001462, 0.000466, 0.013866}, {0.042253, 0.028139, 0.141141},
      {0.129285, 0.047293, 0.290788}, {0.238273, 0.036621, 0.396353},
      {0.341500, 0.062325, 0.429425}, {0.441207, 0.099338, 0.431594},
      {0.540920, 0.134729, 0.415123}, {0.640135, 0.171438, 0.381065},
      {0.735683, 0.215906, 0.330245}, {0.822386, 0.275197, 0.266085},
      {0.894305, 0.353399, 0.193584}, {0.946965, 0.449191, 0.115272},
      {0.978422, 0.557937, 0.034931}, {0.987874, 0.675267, 0.065257},
      {0.974638, 0.797692, 0.206332}, {0.947594, 0.917399, 0.410665},
      {0.988362, 0.998364, 0.644924}});

  private static final Map<String, Colormap> BY_NAME = new LinkedHashMap<>();

  static {
    for (Colormap c : new Colormap[] {JET, TURBO, VIRIDIS, INFERNO, GRAY}) {
      BY_NAME.put(c.name, c);
    }
  }

  private final String name;
  private final int[] table = new int[SIZE];

  private Colormap(String name, double[][] red, double[][] green, double[][] blue) {
    this.name = name;
    for (int i = 0; i < SIZE; i++) {
      double t = i / (SIZE - 1.0);
      table[i] = pack(level(sample(red, t)), level(sample(green, t)), level(sample(blue, t)));
    }
  }

  /** The map with this name (case-insensitive); "grey" is accepted for gray. */
  public static Colormap byName(String name) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    Colormap c = BY_NAME.get(key.equals("grey") ? "gray" : key);
    if (c == null) {
      throw new Gradcam3dException("unknown colormap '" + name + "'; valid names are "
          + String.join(", ", BY_NAME.keySet()) + ".");
    }
    return c;
  }

  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }

  public String name() {
    return name;
  }

  /** Packed 0xRRGGBB colour for t in [0,1]; values outside are clamped, NaN maps like 0. */
  public int rgb(double t) {
    double f = (Double.isNaN(t) ? 0 : Math.max(0, Math.min(1, t))) * (SIZE - 1);
    int i = Math.min((int) f, SIZE - 2);
    double w = f - i;
    int a = table[i];
    int b = table[i + 1];
    return pack(mix(a >> 16, b >> 16, w), mix(a >> 8, b >> 8, w), mix(a, b, w));
  }

  /**
   * {@code rgb(1 - r / (n - 1.0))} for r = 0 .. n - 1: a colorbar of n pixel rows, 1 at the top.
   * Kept per height (every figure of a batch draws the same one or two), shared: not to be
   * changed.
   */
  int[] colorbar(int n) {
    int[] ramp = colorbars.get(n);
    if (ramp == null) {
      ramp = new int[n];
      for (int r = 0; r < n; r++) {
        ramp[r] = rgb(1 - r / (n - 1.0));
      }
      if (colorbars.size() >= KEPT_COLORBARS) {
        colorbars.clear(); // figure sizes vary without end only in odd uses: start again
      }
      colorbars.put(n, ramp);
    }
    return ramp;
  }

  /** Colorbar heights kept at most. */
  private static final int KEPT_COLORBARS = 16;

  private final java.util.concurrent.ConcurrentHashMap<Integer, int[]> colorbars =
      new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public String toString() {
    return name;
  }

  private static int mix(int a, int b, double w) {
    return (int) Math.round((a & 0xFF) * (1 - w) + (b & 0xFF) * w);
  }

  static int pack(int r, int g, int b) {
    return (r << 16) | (g << 8) | b;
  }

  private static int level(double v) {
    return (int) Math.round(Math.max(0, Math.min(1, v)) * 255);
  }

  /** A channel given as alternating (position, value) knots. */
  private static double[][] ramp(double... knots) {
    double[][] r = new double[knots.length / 2][];
    for (int i = 0; i < r.length; i++) {
      r[i] = new double[] {knots[2 * i], knots[2 * i + 1]};
    }
    return r;
  }

  /** Rows are table entries 0, 16, 32, ..., 240 and 255 of a 256-entry map. */
  private static Colormap listed(String name, double[][] rows) {
    double[][][] channels = new double[3][rows.length][];
    for (int i = 0; i < rows.length; i++) {
      double t = Math.min(16 * i, SIZE - 1) / (SIZE - 1.0);
      for (int c = 0; c < 3; c++) {
        channels[c][i] = new double[] {t, rows[i][c]};
      }
    }
    return new Colormap(name, channels[0], channels[1], channels[2]);
  }

  private static double sample(double[][] knots, double t) {
    for (int i = 1; i < knots.length; i++) {
      if (t <= knots[i][0]) {
        double[] a = knots[i - 1];
        double[] b = knots[i];
        return a[1] + (b[1] - a[1]) * (t - a[0]) / (b[0] - a[0]);
      }
    }
    return knots[knots.length - 1][1];
  }
}
