package gradcam3d.metrics;

import java.util.List;
import java.util.Map;

/**
 * One evaluation metric of a map on one sample: its name, group and definition (for --help and
 * the README), its parameters with defaults, what it costs before it runs, and the measurement.
 * Implementations live in {@link gradcam3d.metrics.measures}, one class per metric, and are
 * listed in {@link MetricCatalog}.
 */
public interface Metric {
  /** The name on the command line, e.g. "faithfulness-correlation". */
  String name();

  MetricGroup group();

  /** What is measured, in one or two sentences precise enough to reimplement (with the README). */
  String definition();

  /** The parameters ({@code --metric-param NAME.KEY=VALUE}) with their defaults. */
  default List<MetricParams.Param> params() {
    return List.of();
  }

  /** The forward passes (beyond the shared unperturbed one) and explanation re-runs it needs. */
  Cost cost(MetricSample s);

  /** Measures one sample. */
  Result measure(MetricSample s);

  /** What a metric costs on one sample. */
  record Cost(long forwardPasses, long explanations) {
    public static final Cost FREE = new Cost(0, 0);

    public Cost plus(Cost o) {
      return new Cost(forwardPasses + o.forwardPasses, explanations + o.explanations);
    }
  }

  /**
   * The measurement: every number and curve for the JSON, and the few headline numbers (column
   * name -> value, NaN when undefined) for tables, box plots and the console.
   */
  record Result(Map<String, Object> json, Map<String, Double> headline) {}
}
