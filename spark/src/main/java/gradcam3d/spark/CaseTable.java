package gradcam3d.spark;

import gradcam3d.Gradcam3dException;
import gradcam3d.output.CaseFolders;
import gradcam3d.pipeline.CaseListing;
import gradcam3d.pipeline.Shard;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The cases of a job, read on the driver: a CSV (with a header) or Parquet table with the
 * columns {@code input} (one URI, or several separated by ';', stacked as channels) and the
 * optional {@code id}, {@code label}, {@code mask}, {@code target}; or a folder whose volume
 * files are the cases. Cases are put in a stable order (by input) and named uniquely, so a
 * re-run finds the folders of the previous one whatever the order of the table.
 */
final class CaseTable {
  static final List<String> COLUMNS = List.of("id", "input", "label", "mask", "target");

  private CaseTable() {}

  static List<CaseSpec> read(SparkSession spark, String uri, String labelSuffix) {
    String lower = uri.toLowerCase(Locale.ROOT);
    List<CaseSpec> raw;
    if (lower.endsWith(".csv")) {
      raw = fromTable(spark.read().option("header", true).csv(uri), uri);
    } else if (lower.endsWith(".parquet")) {
      raw = fromTable(spark.read().parquet(uri), uri);
    } else {
      raw = fromFolder(spark, uri, labelSuffix);
    }
    if (raw.isEmpty()) {
      throw new Gradcam3dException("--cases " + uri + " holds no cases");
    }
    List<CaseSpec> sorted = Shard.stableOrder(raw, c -> String.join(";", c.inputs()));
    List<java.nio.file.Path> stems = sorted.stream()
        .map(c -> java.nio.file.Path.of(c.id() != null ? c.id() : new Path(c.inputs().get(0)).getName())).toList();
    List<String> names = CaseFolders.names(stems);
    List<CaseSpec> named = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      CaseSpec c = sorted.get(i);
      named.add(c.named(names.get(i)));
    }
    return named;
  }

  private static List<CaseSpec> fromTable(Dataset<Row> table, String uri) {
    List<String> columns = Arrays.asList(table.columns());
    if (!columns.contains("input")) {
      throw new Gradcam3dException("--cases " + uri + " has no 'input' column (columns: " + columns
          + "; expected " + COLUMNS + ")");
    }
    List<CaseSpec> cases = new ArrayList<>();
    int n = 0;
    for (Row r : table.collectAsList()) {
      n++;
      String input = text(r, columns, "input");
      if (input == null) {
        throw new Gradcam3dException("--cases " + uri + ": row " + n + " has no input");
      }
      List<String> inputs = Arrays.stream(input.split(";")).map(String::trim).filter(s -> !s.isEmpty()).toList();
      cases.add(new CaseSpec(text(r, columns, "id"), inputs, text(r, columns, "label"), text(r, columns, "mask"),
          text(r, columns, "target")));
    }
    return cases;
  }

  private static String text(Row r, List<String> columns, String name) {
    if (!columns.contains(name)) {
      return null;
    }
    Object v = r.get(r.fieldIndex(name));
    String s = v == null ? null : v.toString().trim();
    return s == null || s.isEmpty() ? null : s;
  }

  private static List<CaseSpec> fromFolder(SparkSession spark, String uri, String labelSuffix) {
    try {
      Path dir = new Path(uri);
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.getFileStatus(dir).isDirectory()) {
        throw new Gradcam3dException("--cases " + uri + " is neither a .csv or .parquet table nor a folder");
      }
      List<CaseSpec> cases = new ArrayList<>();
      // the command line's rules (gradcam3d.pipeline.CaseListing): which files are cases, where
      // each one's label is, and a missing label an error of that case
      List<String> skip = Arrays.asList(labelSuffix);
      for (FileStatus f : fs.listStatus(dir)) {
        String name = f.getPath().getName();
        if (!f.isFile() || !CaseListing.isCaseFile(name, skip)) {
          continue;
        }
        String label = null;
        String problem = null;
        if (labelSuffix != null) {
          Path l = new Path(f.getPath().getParent(), CaseListing.siblingName(name, labelSuffix));
          if (fs.exists(l)) {
            label = l.toString();
          } else {
            problem = CaseListing.noSibling("label", l.toString(), name);
          }
        }
        cases.add(new CaseSpec(null, List.of(f.getPath().toString()), label, null, null, problem));
      }
      return cases;
    } catch (IOException e) {
      throw new Gradcam3dException("cannot list --cases " + uri + ": " + e.getMessage(), e);
    }
  }
}
