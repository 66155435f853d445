package gradcam3d.spark;

import gradcam3d.output.CompletedResult;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One row of the results table: the case, where its outputs are, what happened ({@code ok},
 * {@code skipped} = completed by an earlier run, {@code failed} with its error), the target's
 * facts, the CAM's agreement with the label, the --metrics measures, and timings in milliseconds.
 */
record CaseOutcome(CaseSpec spec, String output, String status, String error, Integer explainedClass,
    Long regionVoxels, Double targetValue, Double massInLabel, Double labelShare, Map<String, Double> metrics,
    Double explainMs, Double writeMs, double totalMs, String executor) implements Serializable {

  static final StructType SCHEMA = new StructType()
      .add("case_id", DataTypes.StringType, false)
      .add("inputs", DataTypes.createArrayType(DataTypes.StringType, false), false)
      .add("label", DataTypes.StringType, true)
      .add("mask", DataTypes.StringType, true)
      .add("target", DataTypes.StringType, true)
      .add("output", DataTypes.StringType, false)
      .add("status", DataTypes.StringType, false)
      .add("error", DataTypes.StringType, true)
      .add("explained_class", DataTypes.IntegerType, true)
      .add("region_voxels", DataTypes.LongType, true)
      .add("target_value", DataTypes.DoubleType, true)
      .add("cam_mass_in_label", DataTypes.DoubleType, true)
      .add("label_share", DataTypes.DoubleType, true)
      .add("metrics", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, true), true)
      .add("explain_ms", DataTypes.DoubleType, true)
      .add("write_ms", DataTypes.DoubleType, true)
      .add("total_ms", DataTypes.DoubleType, false)
      .add("executor", DataTypes.StringType, false);

  static CaseOutcome ok(CaseSpec c, String out, int cls, long region, double value, Double inside, Double share,
      Map<String, Double> metrics, double explainMs, double writeMs, double totalMs, String host) {
    return new CaseOutcome(c, out, "ok", null, cls, region, value, inside, share, metrics, explainMs, writeMs, totalMs,
        host);
  }

  /** A case an earlier run completed: its facts as its summary.json recorded them. */
  static CaseOutcome skipped(CaseSpec c, String out, CompletedResult done, Map<String, Double> metrics,
      double totalMs, String host) {
    return new CaseOutcome(c, out, "skipped", null, done.explainedClass(), done.regionVoxels(), done.targetValue(),
        done.massInLabel(), done.labelShare(), metrics, null, null, totalMs, host);
  }

  static CaseOutcome failed(CaseSpec c, String out, String error, double totalMs, String host) {
    return new CaseOutcome(c, out, "failed", error, null, null, null, null, null, null, null, null, totalMs, host);
  }

  /**
   * The first sample's numbers of summary.json's "metrics" (the --metrics measures), flat with
   * dotted names such as {@code faithfulness.deletion_auc}; curves (arrays) are left out. Null
   * without metrics.
   */
  static Map<String, Double> metrics(Object json) {
    if (!(json instanceof Map<?, ?> m) || !(m.get("samples") instanceof List<?> samples) || samples.isEmpty()) {
      return null;
    }
    Map<String, Double> flat = new TreeMap<>();
    flatten("", samples.get(0), flat);
    flat.remove("sample");
    return flat;
  }

  private static void flatten(String prefix, Object v, Map<String, Double> into) {
    if (v instanceof Number n) {
      into.put(prefix, n.doubleValue());
    } else if (v instanceof Map<?, ?> m) {
      m.forEach((k, x) -> flatten(prefix.isEmpty() ? k.toString() : prefix + "." + k, x, into));
    }
  }

  Row row() {
    return RowFactory.create(spec.id(), scala.jdk.javaapi.CollectionConverters.asScala(spec.inputs()).toSeq(),
        spec.label(), spec.mask(), spec.target(), output, status, error, explainedClass, regionVoxels, targetValue,
        massInLabel, labelShare, metrics == null ? null : scala.jdk.javaapi.CollectionConverters.asScala(metrics),
        explainMs, writeMs, totalMs, executor);
  }
}
