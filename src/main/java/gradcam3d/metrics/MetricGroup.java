package gradcam3d.metrics;

import java.util.Locale;

/** The groups of {@code --metrics} (Quantus' categories). */
public enum MetricGroup {
  FAITHFULNESS, ROBUSTNESS, LOCALISATION, COMPLEXITY, RANDOMISATION, AXIOMATIC;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
