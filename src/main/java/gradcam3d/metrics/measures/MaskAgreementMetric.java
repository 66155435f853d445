package gradcam3d.metrics.measures;

import gradcam3d.metrics.MaskAgreement;
import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricSample;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@link MaskAgreement} of the final map with the mask: thresholded overlaps beside the mass- and rank-based accuracy. */
public final class MaskAgreementMetric implements Metric {
  public static final String AGREEMENT = "agreement";

  @Override
  public String name() {
    return "mask-agreement";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.LOCALISATION;
  }

  @Override
  public String definition() {
    return "the final map against the mask: mass inside (relevance mass accuracy) and its ratio to the mask's "
        + "share, relevance rank accuracy, peak inside, IoU and IoA at Otsu's threshold and 0.25/0.5/0.75";
  }

  @Override
  public Cost cost(MetricSample s) {
    return Cost.FREE;
  }

  @Override
  public Result measure(MetricSample s) {
    float[] mask = Localisation.mask(s);
    MaskAgreement a = s.shared(AGREEMENT, () -> MaskAgreement.of(s.cam(), mask));
    Map<String, Double> h = new LinkedHashMap<>();
    h.put("mass_inside", a.massInside());
    h.put("rank_accuracy", a.rankAccuracy());
    h.put("iou_otsu", a.overlaps().get("otsu").iou());
    return new Result(json(a, s.maskSource()), h);
  }

  /** The agreement's JSON (summary.json "mask_agreement"). */
  public static Map<String, Object> json(MaskAgreement a, String source) {
    Map<String, Object> g = new LinkedHashMap<>();
    g.put("mask", source);
    g.put("mass_inside", finite(a.massInside()));
    g.put("relevance_mass_accuracy", finite(a.massInside()));
    g.put("relevance_rank_accuracy", finite(a.rankAccuracy()));
    g.put("mask_share", a.maskShare());
    g.put("mass_inside_over_mask_share", finite(a.concentration()));
    g.put("peak_inside", a.peakInside());
    g.put("otsu_threshold", a.otsuThreshold());
    Map<String, Object> levels = new LinkedHashMap<>();
    a.overlaps().forEach((k, o) -> {
      Map<String, Object> l = new LinkedHashMap<>();
      l.put("threshold", o.threshold());
      l.put("iou", finite(o.iou()));
      l.put("ioa", finite(o.ioa()));
      levels.put(k, l);
    });
    g.put("thresholds", levels);
    return g;
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
