package gradcam3d.render;

import gradcam3d.Gradcam3dException;
import java.util.Locale;

/**
 * When to outline the target region: always (an opaque line, whatever the region looks like),
 * never, or auto (a thin half-transparent line, skipped when the outline would hide the map: a
 * fragmented region or one covering most of the image; see {@link ContourDecision}).
 */
public enum ContourRule {
  ALWAYS,
  AUTO,
  NEVER;

  /** The rule named always, auto or never (case-insensitive). */
  public static ContourRule byName(String name) {
    String key = name == null ? "" : name.trim().toUpperCase(Locale.ROOT);
    for (ContourRule r : values()) {
      if (r.name().equals(key)) {
        return r;
      }
    }
    throw new Gradcam3dException(
        "the contour rule must be always, auto or never, not '" + name + "'.");
  }

  /** Lower-case name as given on the command line and written to summary.json. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
