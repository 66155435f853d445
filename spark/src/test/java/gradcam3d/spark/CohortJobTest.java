package gradcam3d.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark job on a local[2] master: three cases (one corrupt), then a re-run from a Parquet table. */
class CohortJobTest {
  /** The core project's bundled demo: a 3D U-Net and three labelled volumes. */
  private static final Path DEMO = Path.of("../src/main/resources/gradcam3d/demo").toAbsolutePath().normalize();
  private static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    long t0 = System.nanoTime();
    spark = SparkSession.builder().master("local[2]").appName("gradcam3d-test").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        // stay on the loopback interface: local mode needs no other address
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    System.out.printf("Spark session started in %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private String[] args(Path cases, Path out) {
    return new String[] {"--cases", cases.toString(), "--out", out.toString(), "--model",
        DEMO.resolve("demo_unet3d.onnx").toString(), "--layer", "up2", "--target", "1", "--threads", "1",
        "--metrics", "--steps", "4", "--random-seeds", "0"};
  }

  private static Map<String, Row> results(String uri) {
    Map<String, Row> rows = new HashMap<>();
    for (Row r : spark.read().parquet(uri).collectAsList()) {
      rows.put(r.getAs("case_id"), r);
    }
    return rows;
  }

  /** What `gradcam3d explain` writes for the same case. */
  private Path explain(String input, String target) {
    Path out = tmp.resolve("explain-" + target);
    StringWriter err = new StringWriter();
    int code = Main.execute(new String[] {"explain", "--model", DEMO.resolve("demo_unet3d.onnx").toString(), "--input",
        input, "--layer", "up2", "--target", target, "--threads", "1", "--out", out.toString(), "--quiet"},
        new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertEquals(0, code, err.toString());
    return out;
  }

  @Test
  void explainsTheCohortRecordsTheFailureAndSkipsCompletedCasesOnReRun() throws IOException {
    Path broken = tmp.resolve("broken.nii.gz");
    Files.write(broken, new byte[] {31, -117, 8, 0});
    String case1 = DEMO.resolve("demo_case1.nii.gz").toString();
    String case2 = DEMO.resolve("demo_case2.nii.gz").toString();
    Path csv = tmp.resolve("cases.csv");
    Files.writeString(csv, "input,label,target\r\n" + case1 + "," + DEMO.resolve("demo_case1_label.nii.gz") + ",\r\n"
        + broken + ",,\r\n" + case2 + ",,2\r\n");
    Path out = tmp.resolve("out");

    long t0 = System.nanoTime();
    int pipelines = CaseRunner.pipelinesBuilt(); // other tests of this JVM may have built theirs
    CohortJob.Summary first = CohortJob.run(spark, args(csv, out));
    System.out.printf("first run (2 cases explained, 1 failed) in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    assertEquals(new CohortJob.Summary(3, 2, 0, 1, out.resolve("results.parquet").toString()), first);
    assertEquals(pipelines + 1, CaseRunner.pipelinesBuilt(), "one pipeline per JVM, whatever the number of cases");

    Map<String, Row> rows = results(first.results());
    assertEquals(3, rows.size());
    Row r1 = rows.get("demo_case1");
    assertEquals("ok", r1.getAs("status"));
    assertEquals(1, (int) r1.getAs("explained_class"));
    assertEquals(1951L, (long) r1.getAs("region_voxels"), "the region the CLI reports for this case");
    assertEquals(0.581, (double) r1.getAs("cam_mass_in_label"), 0.005);
    assertEquals(out.resolve("demo_case1").toString(), r1.getAs("output"));
    assertEquals(List.of(case1), r1.getList(r1.fieldIndex("inputs")));
    // --metrics: the results table has summary.json's numbers, flat
    Map<String, Double> metrics = r1.getJavaMap(r1.fieldIndex("metrics"));
    Map<?, ?> summary = (Map<?, ?>) gradcam3d.report.Json.parse(Files.readString(out.resolve("demo_case1/summary.json")));
    Map<?, ?> sample = (Map<?, ?>) ((List<?>) ((Map<?, ?>) summary.get("metrics")).get("samples")).get(0);
    assertEquals(((Number) ((Map<?, ?>) sample.get("faithfulness")).get("deletion_auc")).doubleValue(),
        metrics.get("faithfulness.deletion_auc"));
    assertEquals(((Number) ((Map<?, ?>) sample.get("complexity")).get("mean")).doubleValue(),
        metrics.get("complexity.mean"));
    Row r2 = rows.get("demo_case2");
    assertEquals("ok", r2.getAs("status"));
    assertEquals("2", r2.getAs("target"));
    assertEquals(2, (int) r2.getAs("explained_class"), "the per-case target overrides --target");
    assertNull(r2.getAs("cam_mass_in_label"));
    Row bad = rows.get("broken");
    assertEquals("failed", bad.getAs("status"));
    String error = bad.getAs("error");
    assertTrue(error.contains("broken.nii.gz") && !error.contains("\n"), error);
    assertFalse(Files.exists(out.resolve("broken")), "nothing written for the failed case");

    // the outputs equal explain's for the same case, byte for byte
    Path e1 = explain(case1, "1");
    Path e2 = explain(case2, "2");
    for (String f : List.of("cam.npy", "cam.nii.gz", "overlay.png", "montage.png")) {
      assertArrayEquals(Files.readAllBytes(e1.resolve(f)), Files.readAllBytes(out.resolve("demo_case1").resolve(f)), f);
      assertArrayEquals(Files.readAllBytes(e2.resolve(f)), Files.readAllBytes(out.resolve("demo_case2").resolve(f)), f);
    }
    assertFalse(Files.exists(out.resolve("demo_case1/.cam.npy.crc")), "no Hadoop checksum files beside the outputs");

    // re-run from the same cases as a Parquet table, in another order: completed cases are skipped
    FileTime stamp = Files.getLastModifiedTime(out.resolve("demo_case1/summary.json"));
    String parquet = tmp.resolve("cases.parquet").toString();
    spark.read().option("header", true).csv(csv.toString()).orderBy(org.apache.spark.sql.functions.desc("input"))
        .write().mode(SaveMode.Overwrite).parquet(parquet);
    t0 = System.nanoTime();
    CohortJob.Summary again = CohortJob.run(spark, args(Path.of(parquet), out));
    System.out.printf("re-run (2 skipped, 1 failed) in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    assertEquals(new CohortJob.Summary(3, 0, 2, 1, first.results()), again);
    assertEquals(stamp, Files.getLastModifiedTime(out.resolve("demo_case1/summary.json")), "not redone");
    Map<String, Row> rerun = results(again.results());
    assertEquals("skipped", rerun.get("demo_case1").getAs("status"));
    assertEquals(1951L, (long) rerun.get("demo_case1").getAs("region_voxels"));
    assertEquals(metrics, rerun.get("demo_case1").getJavaMap(rerun.get("demo_case1").fieldIndex("metrics")),
        "a skipped case reports the metrics its summary recorded");
    assertEquals((double) r1.getAs("target_value"), (double) rerun.get("demo_case1").getAs("target_value"), 1e-3);
    assertEquals("failed", rerun.get("broken").getAs("status"));
    assertEquals(pipelines + 1, CaseRunner.pipelinesBuilt());
  }

  /**
   * A folder of cases with --label-suffix: a case whose label file is missing is a failed row with
   * the command line's message (gradcam3d batch --label-suffix says the same), not a case explained
   * without its label; the others go on, two to a partition (the next one read ahead).
   */
  @Test
  void aFolderCaseWithoutItsLabelFailsAsInTheCommandLineBatch() throws IOException {
    Path folder = Files.createDirectories(tmp.resolve("cases"));
    for (String f : List.of("demo_case1.nii.gz", "demo_case1_label.nii.gz", "demo_case2.nii.gz")) {
      Files.copy(DEMO.resolve(f), folder.resolve(f));
    }
    Path out = tmp.resolve("out");
    CohortJob.Summary s = CohortJob.run(spark, "--cases", folder.toString(), "--label-suffix", "_label", "--out",
        out.toString(), "--model", DEMO.resolve("demo_unet3d.onnx").toString(), "--layer", "up2", "--target", "1",
        "--threads", "1", "--partitions", "1", "--no-pictures");
    assertEquals(new CohortJob.Summary(2, 1, 0, 1, out.resolve("results.parquet").toString()), s);
    Map<String, Row> rows = results(s.results());
    Row r1 = rows.get("demo_case1");
    assertEquals("ok", r1.getAs("status"));
    assertEquals(1951L, (long) r1.getAs("region_voxels"));
    assertEquals(0.581, (double) r1.getAs("cam_mass_in_label"), 0.005);
    Row r2 = rows.get("demo_case2");
    assertEquals("failed", r2.getAs("status"));
    String error = r2.getAs("error");
    assertTrue(error.startsWith("no label file ") && error.endsWith("demo_case2_label.nii.gz for case demo_case2.nii.gz"),
        error);
    assertFalse(Files.exists(out.resolve("demo_case2")), "nothing written for the failed case");
  }

  /** A method with outputs of its own (dff's concepts) through the job: the files explain writes. */
  @Test
  void aMethodWithItsOwnOutputsRunsThroughTheJob() throws IOException {
    String case1 = DEMO.resolve("demo_case1.nii.gz").toString();
    Path csv = tmp.resolve("cases.csv");
    Files.writeString(csv, "input\r\n" + case1 + "\r\n");
    Path out = tmp.resolve("out");
    CohortJob.Summary s = CohortJob.run(spark, new String[] {"--cases", csv.toString(), "--out", out.toString(),
        "--model", DEMO.resolve("demo_unet3d.onnx").toString(), "--layer", "up2", "--target", "1", "--threads", "1",
        "--method", "dff", "--concepts", "3"});
    assertEquals(1, s.ok(), s.toString());
    Path explained = tmp.resolve("explain");
    StringWriter err = new StringWriter();
    int code = Main.execute(new String[] {"explain", "--model", DEMO.resolve("demo_unet3d.onnx").toString(), "--input",
        case1, "--layer", "up2", "--target", "1", "--threads", "1", "--method", "dff", "--concepts", "3", "--out",
        explained.toString(), "--quiet"}, new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertEquals(0, code, err.toString());
    for (String f : List.of("cam.npy", "concepts.npy", "concepts.nii.gz")) {
      assertArrayEquals(Files.readAllBytes(explained.resolve(f)), Files.readAllBytes(out.resolve("demo_case1").resolve(f)),
          f);
    }
  }

  @Test
  void aTableWithoutInputColumnOrABadOptionIsOneLineError() throws IOException {
    Path csv = tmp.resolve("cases.csv");
    Files.writeString(csv, "file\r\nx.nii.gz\r\n");
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> CohortJob.run(spark, args(csv, tmp)));
    assertTrue(e.getMessage().contains("has no 'input' column"), e.getMessage());
    e = assertThrows(Gradcam3dException.class, () -> CohortJob.run(spark, "--cases", csv.toString(), "--out", "o",
        "--model", "m.onnx", "--layer", "up2", "--method", "nosuch"));
    assertTrue(e.getMessage().contains("nosuch") && !e.getMessage().contains("\n"), e.getMessage());
  }
}
