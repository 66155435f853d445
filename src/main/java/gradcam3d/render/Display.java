package gradcam3d.render;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the figures' (Z, Y, X) arrays lie in the patient, so that panels get anatomical names,
 * orientation letters on their four edges and slice positions along an anatomical axis. The
 * caller puts the arrays in display order first (for an oriented scan: Z from superior to
 * inferior, Y from anterior to posterior, X from the patient's right to left, radiological, or
 * left to right, neurological); then row 0 of every panel is drawn at the top and column 0 at
 * the left (see {@link Plane}). Without geometry (.npy) the arrays keep array order, panels are
 * named by their axis and the figures say so.
 *
 * @param worldAxis for each figure axis Z, Y, X (a 2D image: Y, X) the world axis it runs along
 *     (0 = R/L, 1 = A/P, 2 = S/I), or null without geometry
 * @param toward for each figure axis +1 when its index grows towards R, A or S, else -1
 * @param convention "radiological", "neurological" or "array order"
 * @param obliqueDegrees how far the scan's axes are from the anatomical ones (0: aligned)
 * @param noGeometry the input had no geometry: the figures say so and name panels by array axis
 */
public record Display(int[] worldAxis, int[] toward, String convention, double obliqueDegrees, boolean noGeometry) {
  /** Panels drawn in array order: no anatomy known. */
  public static final String ARRAY_ORDER = "array order";
  /** Below this the scan counts as aligned with the anatomical axes (rounding of stored affines). */
  static final double OBLIQUE_DEGREES = 0.5;

  public Display {
    worldAxis = worldAxis == null ? null : worldAxis.clone();
    toward = toward == null ? null : toward.clone();
  }

  /** Figures of arrays given as they are (the library's figures API): panels titled axial, coronal, sagittal by array axis. */
  public static Display arrayOrder() {
    return new Display(null, null, ARRAY_ORDER, 0, false);
  }

  /** Figures of an input without geometry (.npy): array order, and the figures say so. */
  public static Display withoutGeometry() {
    return new Display(null, null, ARRAY_ORDER, 0, true);
  }

  /** An oriented scan's figures. */
  public static Display anatomical(int[] worldAxis, int[] toward, boolean neurological, double obliqueDegrees) {
    return new Display(worldAxis, toward, neurological ? "neurological" : "radiological", obliqueDegrees, false);
  }

  public boolean anatomical() {
    return worldAxis != null;
  }

  public boolean oblique() {
    return anatomical() && obliqueDegrees >= OBLIQUE_DEGREES;
  }

  /** A note the figures carry, or null: array order, or how oblique the scan is. */
  String note() {
    if (!anatomical()) {
      return noGeometry ? "array order (no orientation)" : null;
    }
    return oblique() ? String.format(Locale.ROOT, "oblique, %.0f deg", obliqueDegrees) : null;
  }

  /** The four edge letters of a panel, or null without geometry. */
  record Edges(char top, char bottom, char left, char right) {
    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("top", String.valueOf(top));
      m.put("bottom", String.valueOf(bottom));
      m.put("left", String.valueOf(left));
      m.put("right", String.valueOf(right));
      return m;
    }
  }

  /** Figure axis (0 = Z, 1 = Y, 2 = X) of a 3D volume, or of a 2D image's Y, X. */
  private int slot(int figureAxis, boolean is2d) {
    return is2d ? figureAxis - 1 : figureAxis;
  }

  /** The panel's name: anatomical where the geometry says so, else by its axis. */
  String title(Plane plane, boolean is2d) {
    if (!anatomical()) {
      return is2d ? "2d image" : noGeometry ? plane.axisName() + " slice" : plane.title();
    }
    if (is2d) {
      // the plane the image spans: the world axis it lacks
      int missing = 3 - worldAxis[0] - worldAxis[1];
      return planeName(missing);
    }
    return planeName(worldAxis[plane.normal()]);
  }

  private static String planeName(int normalWorldAxis) {
    return switch (normalWorldAxis) {
      case 2 -> "axial";
      case 1 -> "coronal";
      default -> "sagittal";
    };
  }

  Edges edges(Plane plane, boolean is2d) {
    if (!anatomical()) {
      return null;
    }
    int rows = slot(plane.rowAxis(), is2d);
    int cols = slot(plane.colAxis(), is2d);
    return new Edges(letter(worldAxis[rows], -toward[rows]), letter(worldAxis[rows], toward[rows]),
        letter(worldAxis[cols], -toward[cols]), letter(worldAxis[cols], toward[cols]));
  }

  /** The letter of the world axis a plane's slices are stacked along (axial: S), for slice positions. */
  char normalLetter(Plane plane) {
    return letter(worldAxis[plane.normal()], 1);
  }

  private static char letter(int world, int toward) {
    return (toward > 0 ? "RAS" : "LPI").charAt(world);
  }

  /**
   * summary.json's "display": the convention, obliquity and each panel's edge letters (by
   * anatomical name).
   */
  public Map<String, Object> toJson(boolean is2d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("convention", convention);
    if (anatomical()) {
      m.put("oblique_degrees", Math.round(obliqueDegrees * 100) / 100.0);
    }
    Map<String, Object> panels = new LinkedHashMap<>();
    List<Plane> planes = is2d ? List.of(Plane.AXIAL) : List.of(Plane.AXIAL, Plane.CORONAL, Plane.SAGITTAL);
    for (Plane p : planes) {
      Edges e = edges(p, is2d);
      panels.put(title(p, is2d), e == null ? Map.of() : e.toJson());
    }
    if (anatomical()) {
      m.put("panels", panels);
    } else {
      m.put("panels", new ArrayList<>(panels.keySet()));
    }
    return m;
  }

  /**
   * What the report's viewer needs to draw the same frame: per plane (axial, coronal, sagittal;
   * a 2D image one) its title, edge letters (or none) and the letter of the axis its slices are
   * stacked along; the note the figures carry.
   */
  public Map<String, Object> forViewer(boolean is2d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("convention", convention);
    m.put("note", note());
    List<Map<String, Object>> planes = new ArrayList<>();
    for (Plane p : is2d ? List.of(Plane.AXIAL) : List.of(Plane.AXIAL, Plane.CORONAL, Plane.SAGITTAL)) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("title", title(p, is2d));
      Edges e = edges(p, is2d);
      entry.put("edges", e == null ? null : e.toJson());
      entry.put("normal", anatomical() && !is2d ? String.valueOf(normalLetter(p)) : null);
      planes.add(entry);
    }
    m.put("planes", planes);
    return m;
  }
}
