package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.metrics.measures.Arcc;
import gradcam3d.metrics.measures.AttributionLocalisation;
import gradcam3d.metrics.measures.AvgSensitivity;
import gradcam3d.metrics.measures.Completeness;
import gradcam3d.metrics.measures.ConfidenceChange;
import gradcam3d.metrics.measures.DeletionInsertion;
import gradcam3d.metrics.measures.EffectiveComplexity;
import gradcam3d.metrics.measures.EfficientMprt;
import gradcam3d.metrics.measures.Entropy;
import gradcam3d.metrics.measures.FaithfulnessCorrelation;
import gradcam3d.metrics.measures.FaithfulnessEstimate;
import gradcam3d.metrics.measures.Infidelity;
import gradcam3d.metrics.measures.Irof;
import gradcam3d.metrics.measures.LocalLipschitz;
import gradcam3d.metrics.measures.MaskAgreementMetric;
import gradcam3d.metrics.measures.MaxSensitivity;
import gradcam3d.metrics.measures.MonotonicityCorrelation;
import gradcam3d.metrics.measures.Mprt;
import gradcam3d.metrics.measures.MprtIndependent;
import gradcam3d.metrics.measures.NonSensitivity;
import gradcam3d.metrics.measures.PointingGame;
import gradcam3d.metrics.measures.RandomLogit;
import gradcam3d.metrics.measures.RegionPerturbation;
import gradcam3d.metrics.measures.RelevanceMassAccuracy;
import gradcam3d.metrics.measures.RelevanceRankAccuracy;
import gradcam3d.metrics.measures.Road;
import gradcam3d.metrics.measures.RocAuc;
import gradcam3d.metrics.measures.Sparseness;
import gradcam3d.metrics.measures.Spread;
import gradcam3d.metrics.measures.TopKIntersection;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Every metric by name and group, in the order they run and are reported; {@link #select} parses
 * {@code --metrics GROUP|NAME,...}.
 */
public final class MetricCatalog {
  private static final List<Metric> ALL = List.of(
      new DeletionInsertion(), new FaithfulnessCorrelation(), new FaithfulnessEstimate(),
      new MonotonicityCorrelation(), new RegionPerturbation(), new Irof(), new Road(), new Infidelity(),
      new ConfidenceChange(), new Arcc(),
      new MaxSensitivity(), new AvgSensitivity(), new LocalLipschitz(),
      new MaskAgreementMetric(), new PointingGame(), new AttributionLocalisation(), new TopKIntersection(),
      new RelevanceRankAccuracy(), new RelevanceMassAccuracy(), new RocAuc(),
      new Spread(), new Sparseness(), new Entropy(), new EffectiveComplexity(),
      new Mprt(), new MprtIndependent(), new EfficientMprt(), new RandomLogit(),
      new Completeness(), new NonSensitivity());

  /** What --metrics measures without a list (and what evaluate always did): the curves, mask agreement, spread. */
  public static final List<String> DEFAULT = List.of("deletion-insertion", "mask-agreement", "spread");

  private MetricCatalog() {}

  public static List<Metric> all() {
    return ALL;
  }

  public static Metric byName(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (Metric m : ALL) {
      if (m.name().equals(n)) {
        return m;
      }
    }
    throw new Gradcam3dException("unknown metric '" + name + "'; use a group (" + groupNames() + ", all) or one of "
        + String.join(", ", ALL.stream().map(Metric::name).toList()));
  }

  static String groupNames() {
    return String.join(", ", java.util.Arrays.stream(MetricGroup.values()).map(MetricGroup::label).toList());
  }

  /** The metrics of "GROUP|NAME,..." (groups: faithfulness, robustness, ..., all), in catalog order. */
  public static List<Metric> select(List<String> names) {
    Set<Metric> chosen = new LinkedHashSet<>();
    for (String raw : names) {
      String n = raw.trim().toLowerCase(Locale.ROOT);
      if (n.isEmpty()) {
        continue;
      }
      if (n.equals("all")) {
        chosen.addAll(ALL);
        continue;
      }
      MetricGroup g = java.util.Arrays.stream(MetricGroup.values()).filter(x -> x.label().equals(n)
          || (x == MetricGroup.LOCALISATION && n.equals("localization"))
          || (x == MetricGroup.RANDOMISATION && n.equals("randomization"))).findFirst().orElse(null);
      if (g != null) {
        ALL.stream().filter(m -> m.group() == g).forEach(chosen::add);
      } else {
        chosen.add(byName(n));
      }
    }
    if (chosen.isEmpty()) {
      throw new Gradcam3dException(Setting.METRICS, Setting.METRICS.label() + " names no metric");
    }
    List<Metric> out = new ArrayList<>();
    for (Metric m : ALL) {
      if (chosen.contains(m)) {
        out.add(m);
      }
    }
    return out;
  }

  /** One line per metric with its group and definition, and its parameters (plain text, one line each). */
  public static List<String> help() {
    List<String> lines = new ArrayList<>();
    for (MetricGroup g : MetricGroup.values()) {
      lines.add("  " + g.label() + ":");
      for (Metric m : ALL) {
        if (m.group() != g) {
          continue;
        }
        lines.add("    " + m.name() + ": " + m.definition());
        for (MetricParams.Param p : m.params()) {
          lines.add("      " + m.name() + "." + p.key() + " = " + p.defaultValue() + ": " + p.meaning());
        }
      }
    }
    return lines;
  }
}
