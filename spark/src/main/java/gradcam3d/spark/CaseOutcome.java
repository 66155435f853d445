package gradcam3d.spark;

import gradcam3d.output.CompletedResult;
import java.io.Serializable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One row of the results table: the case, where its outputs are, what happened ({@code ok},
 * {@code skipped} = completed by an earlier run, {@code failed} with its error), the target's
 * facts, the CAM's agreement with the label, and timings in milliseconds.
 */
record CaseOutcome(CaseSpec spec, String output, String status, String error, Integer explainedClass,
    Long regionVoxels, Double targetValue, Double massInLabel, Double labelShare, Double explainMs, Double writeMs,
    double totalMs, String executor) implements Serializable {

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
      .add("explain_ms", DataTypes.DoubleType, true)
      .add("write_ms", DataTypes.DoubleType, true)
      .add("total_ms", DataTypes.DoubleType, false)
      .add("executor", DataTypes.StringType, false);

  static CaseOutcome ok(CaseSpec c, String out, int cls, long region, double value, Double inside, Double share,
      double explainMs, double writeMs, double totalMs, String host) {
    return new CaseOutcome(c, out, "ok", null, cls, region, value, inside, share, explainMs, writeMs, totalMs, host);
  }

  /** A case an earlier run completed: its facts as its summary.json recorded them. */
  static CaseOutcome skipped(CaseSpec c, String out, CompletedResult done, double totalMs, String host) {
    return new CaseOutcome(c, out, "skipped", null, done.explainedClass(), done.regionVoxels(), done.targetValue(),
        done.massInLabel(), done.labelShare(), null, null, totalMs, host);
  }

  static CaseOutcome failed(CaseSpec c, String out, String error, double totalMs, String host) {
    return new CaseOutcome(c, out, "failed", error, null, null, null, null, null, null, null, totalMs, host);
  }

  Row row() {
    return RowFactory.create(spec.id(), scala.jdk.javaapi.CollectionConverters.asScala(spec.inputs()).toSeq(),
        spec.label(), spec.mask(), spec.target(), output, status, error, explainedClass, regionVoxels, targetValue,
        massInLabel, labelShare, explainMs, writeMs, totalMs, executor);
  }
}
