package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The metrics' parameters as given ({@code --metric-param NAME.KEY=VALUE}, repeatable), checked
 * against what each metric declares; a metric reads its own with its defaults.
 */
public final class MetricParams {
  /** What kind of value a parameter takes. */
  public enum Kind {
    /** An integer >= 1, or "auto" where the default is computed. */
    COUNT,
    /** A number > 0. */
    POSITIVE,
    /** A number in (0, 1]. */
    FRACTION,
    /** One of the words in the description's choices. */
    CHOICE
  }

  /**
   * A declared parameter: key, default (as text; "auto" means computed from the volume), kind,
   * the allowed words for {@link Kind#CHOICE}, and what it means.
   */
  public record Param(String key, String defaultValue, Kind kind, List<String> choices, String meaning) {
    public static Param count(String key, String defaultValue, String meaning) {
      return new Param(key, defaultValue, Kind.COUNT, List.of(), meaning);
    }

    public static Param positive(String key, String defaultValue, String meaning) {
      return new Param(key, defaultValue, Kind.POSITIVE, List.of(), meaning);
    }

    public static Param fraction(String key, String defaultValue, String meaning) {
      return new Param(key, defaultValue, Kind.FRACTION, List.of(), meaning);
    }

    public static Param choice(String key, String defaultValue, List<String> choices, String meaning) {
      return new Param(key, defaultValue, Kind.CHOICE, List.copyOf(choices), meaning);
    }
  }

  public static final MetricParams DEFAULTS = new MetricParams(Map.of());

  /** "name.key" -> value. */
  private final Map<String, String> given;

  private MetricParams(Map<String, String> given) {
    this.given = Map.copyOf(given);
  }

  /** Parses "NAME.KEY=VALUE" texts, checking each against the catalog; fails with a one-line message. */
  public static MetricParams parse(List<String> texts) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String t : texts) {
      int eq = t.indexOf('=');
      int dot = t.lastIndexOf('.', eq < 0 ? t.length() : eq);
      if (eq < 0 || dot < 0) {
        throw new Gradcam3dException(Setting.METRIC_PARAM, Setting.METRIC_PARAM.label() + " " + t
            + ": use NAME.KEY=VALUE, e.g. faithfulness-correlation.runs=20");
      }
      String name = t.substring(0, dot).trim().toLowerCase(Locale.ROOT);
      String key = t.substring(dot + 1, eq).trim().toLowerCase(Locale.ROOT);
      String value = t.substring(eq + 1).trim();
      Metric m = MetricCatalog.byName(name);
      Param p = m.params().stream().filter(q -> q.key().equals(key)).findFirst().orElseThrow(() ->
          new Gradcam3dException(Setting.METRIC_PARAM, Setting.METRIC_PARAM.label() + " " + t + ": " + name
              + " has no parameter '" + key + "'"
              + (m.params().isEmpty() ? " (it takes none)" : "; it takes " + String.join(", ",
                  m.params().stream().map(Param::key).toList()))));
      check(t, p, value);
      out.put(name + "." + key, value);
    }
    return new MetricParams(out);
  }

  private static void check(String text, Param p, String value) {
    String v = value.toLowerCase(Locale.ROOT);
    switch (p.kind()) {
      case COUNT -> {
        if (v.equals("auto") && p.defaultValue().equals("auto")) {
          return;
        }
        try {
          if (Integer.parseInt(v) >= 1) {
            return;
          }
        } catch (NumberFormatException e) {
          // reported below
        }
        throw new Gradcam3dException(Setting.METRIC_PARAM, Setting.METRIC_PARAM.label() + " " + text + ": "
            + p.key() + " must be a whole number >= 1"
            + (p.defaultValue().equals("auto") ? " or auto" : ""));
      }
      case POSITIVE, FRACTION -> {
        double d;
        try {
          d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
          d = Double.NaN;
        }
        boolean ok = p.kind() == Kind.POSITIVE ? d > 0 && Double.isFinite(d) : d > 0 && d <= 1;
        if (!ok) {
          throw new Gradcam3dException(Setting.METRIC_PARAM, Setting.METRIC_PARAM.label() + " " + text + ": "
              + p.key() + " must be "
              + (p.kind() == Kind.POSITIVE ? "a number > 0" : "a number in (0, 1]"));
        }
      }
      case CHOICE -> {
        if (!p.choices().contains(v)) {
          throw new Gradcam3dException(Setting.METRIC_PARAM, Setting.METRIC_PARAM.label() + " " + text + ": "
              + p.key() + " must be one of "
              + String.join(", ", p.choices()));
        }
      }
      default -> throw new IllegalStateException(p.kind().toString());
    }
  }

  /** The value of a declared parameter, given or default ("auto" stays "auto"). */
  public String text(Metric m, String key) {
    String v = given.get(m.name() + "." + key);
    if (v != null) {
      return v.toLowerCase(Locale.ROOT);
    }
    return m.params().stream().filter(p -> p.key().equals(key)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(m.name() + " declares no parameter " + key)).defaultValue();
  }

  /** A count, or {@code auto} when the value is "auto". */
  public int count(Metric m, String key, int auto) {
    String v = text(m, key);
    return v.equals("auto") ? auto : Integer.parseInt(v);
  }

  public double number(Metric m, String key) {
    return Double.parseDouble(text(m, key));
  }

  /** The given values, for the JSON ("name.key" -> value). */
  public Map<String, String> given() {
    return given;
  }
}
