package gradcam3d.spark;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Progress;
import gradcam3d.cli.ExplanationOptions;
import gradcam3d.cli.MetricsSwitch;
import gradcam3d.pipeline.ExplanationPipeline;
import gradcam3d.pipeline.Settings;
import gradcam3d.runtime.Telemetry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The Spark job: explains every case of a case table (or folder) with one model, layer(s),
 * method and target, writes each case's outputs under {@code --out} and a Parquet results table
 * with one row per case. A failing case is a row with its error; cases whose folder holds a
 * complete result are skipped, so re-running after a failure redoes only what is missing.
 *
 * <pre>
 * spark-submit --class gradcam3d.spark.CohortJob --files unet.onnx gradcam3d-spark.jar \
 *   --cases s3a://bucket/cohort.csv --out s3a://bucket/cams --model unet.onnx --layer up2 --target 1 --threads 4
 * </pre>
 */
public final class CohortJob {
  private CohortJob() {}

  /** The job's options: the explanation options of {@code gradcam3d explain} plus where cases come from and go. */
  @Command(name = "gradcam3d-spark", mixinStandardHelpOptions = true,
      description = "Explains a cohort on Spark: one folder per case under --out and a Parquet results table.")
  static final class Options {
    @Mixin
    ExplanationOptions explanation;

    @Mixin
    MetricsSwitch metrics;

    @Option(names = "--cases", required = true, paramLabel = "URI",
        description = "A .csv (header) or .parquet case table with columns input (URIs separated by ';'), and "
            + "optionally id, label, mask, target; or a folder whose .nii/.nii.gz/.npy files are the cases.")
    String cases;

    @Option(names = "--label-suffix", paramLabel = "SUFFIX",
        description = "With a folder of cases: each case's label is the file with SUFFIX before the extension.")
    String labelSuffix;

    @Option(names = "--out", required = true, paramLabel = "URI", description = "Where the case folders go.")
    String out;

    @Option(names = "--results", paramLabel = "URI",
        description = "The Parquet results table (default: OUT/results.parquet); replaced by each run.")
    String results;

    @Option(names = "--partitions", paramLabel = "N",
        description = "Spark partitions (default: one per case, so busy executors take the next case).")
    Integer partitions;

    @Option(names = "--no-pictures", description = "Do not write overlay.png and montage.png.")
    boolean noPictures;

    static Options parse(List<String> args) {
      Options o = new Options();
      new CommandLine(o).parseArgs(args.toArray(String[]::new));
      return o;
    }

    Settings settings() {
      return explanation.settings(false, Progress.NONE);
    }

    /** The pipeline these options describe; with --metrics it also measures every map. */
    ExplanationPipeline pipeline() {
      Settings s = settings();
      return new ExplanationPipeline(s, metrics.settings(s.batchSize()));
    }
  }

  /** What a run did. */
  public record Summary(long cases, long ok, long skipped, long failed, String results) {}

  public static void main(String[] args) {
    CommandLine cl = new CommandLine(new Options());
    try {
      cl.parseArgs(args);
      if (cl.isUsageHelpRequested()) {
        cl.usage(System.out);
        return;
      }
    } catch (CommandLine.ParameterException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
    }
    // ONNX Runtime reads this variable when it loads: the executors start with telemetry off
    // (the driver runs no model; in local mode it is the executor: start spark-submit with it)
    SparkSession spark = SparkSession.builder().appName("gradcam3d cohort")
        .config("spark.executorEnv." + Telemetry.VARIABLE, "1").getOrCreate();
    try {
      Summary s = run(spark, args);
      System.out.printf("gradcam3d-spark: %d cases: %d explained, %d completed earlier, %d failed; results in %s%n",
          s.cases(), s.ok(), s.skipped(), s.failed(), s.results());
      spark.stop();
      System.exit(s.failed() == 0 ? 0 : 1);
    } catch (Gradcam3dException e) {
      System.err.println("error: " + e.getMessage());
      spark.stop();
      System.exit(1);
    }
  }

  /** Runs the job in a session (also for tests and notebooks). */
  public static Summary run(SparkSession spark, String... args) {
    Options o;
    try {
      o = Options.parse(List.of(args));
    } catch (CommandLine.ParameterException e) {
      throw new Gradcam3dException(e.getMessage());
    }
    List<String> explanationArgs = explanationArgs(args);
    Options.parse(explanationArgs); // the executors parse exactly these
    List<CaseSpec> cases = CaseTable.read(spark, o.cases, o.labelSuffix);
    Map<String, String> conf = new HashMap<>();
    spark.sparkContext().hadoopConfiguration().forEach(e -> conf.put(e.getKey(), e.getValue()));
    JobConfig job = new JobConfig(explanationArgs, o.out, !o.noPictures, conf);
    String results = o.results != null ? o.results : new org.apache.hadoop.fs.Path(o.out, "results.parquet").toString();

    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int parts = o.partitions != null ? Math.max(1, o.partitions) : cases.size();
    JavaRDD<Row> rows = sc.parallelize(cases, parts).mapPartitions(it -> {
      List<CaseSpec> mine = new ArrayList<>();
      it.forEachRemaining(mine::add);
      return CaseRunner.run(mine, job).stream().map(CaseOutcome::row).iterator();
    });
    spark.createDataFrame(rows, CaseOutcome.SCHEMA).write().mode(SaveMode.Overwrite).parquet(results);

    Dataset<Row> written = spark.read().parquet(results);
    Map<String, Long> byStatus = new HashMap<>();
    for (Row r : written.groupBy("status").count().collectAsList()) {
      byStatus.put(r.getString(0), r.getLong(1));
    }
    return new Summary(cases.size(), byStatus.getOrDefault("ok", 0L), byStatus.getOrDefault("skipped", 0L),
        byStatus.getOrDefault("failed", 0L), results);
  }

  /** The command line without the job's own options: what the executors turn into settings. */
  private static List<String> explanationArgs(String[] args) {
    List<String> own = List.of("--cases", "--label-suffix", "--out", "--results", "--partitions");
    List<String> kept = new ArrayList<>(List.of("--cases", "-", "--out", "-"));
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (own.contains(name)) {
        i += a.contains("=") ? 0 : 1;
      } else if (!a.equals("--no-pictures")) {
        kept.add(a);
      }
    }
    return kept;
  }
}
