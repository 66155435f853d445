package gradcam3d.metrics.measures;

import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricSample;

/**
 * pytorch-grad-cam's CamMultImageConfidenceChange and its two readings: the input multiplied by
 * the final map (every channel by cam) is scored, change = s(x * cam) - s(x); drop in confidence
 * = max(0, -change), increase in confidence = 1 if change > 0 else 0. A map that keeps what the
 * model needs keeps the score (a small drop).
 */
public final class ConfidenceChange implements Metric {
  @Override
  public String name() {
    return "confidence-change";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.FAITHFULNESS;
  }

  @Override
  public String definition() {
    return "score of the input multiplied by the map minus the input's score; drop = max(0, -change), increase = "
        + "change > 0 (pytorch-grad-cam's CamMultImageConfidenceChange, DropInConfidence, IncreaseInConfidence)";
  }

  @Override
  public Cost cost(MetricSample s) {
    return new Cost(1, 0);
  }

  @Override
  public Result measure(MetricSample s) {
    float[] cam = s.cam();
    float[] x = s.input();
    int n = s.voxels();
    double y = s.unperturbedScore();
    double masked = s.scoreFeatures(1, j -> {
      float[] p = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        p[i] = x[i] * cam[i % n];
      }
      return p;
    })[0];
    double change = masked - y;
    double drop = Math.max(0, -change);
    double increase = change > 0 ? 1 : 0;
    return new Result(Measures.json("change", change, "drop_in_confidence", drop, "increase_in_confidence", increase,
        "masked_score", masked), Measures.headline("confidence_change", change, "drop_in_confidence", drop));
  }
}
