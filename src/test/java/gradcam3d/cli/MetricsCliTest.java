package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.report.Json;
import gradcam3d.volume.Npy;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * evaluate, explain --metrics and compare through the real command line, on the small model of
 * src/test/resources/metrics whose scores PyTorch computed independently (metrics_refs.json).
 */
class MetricsCliTest {
  static final Path DIR = Path.of("src/test/resources/metrics");
  static final String MODEL = DIR.resolve("metrics_seg3d.onnx").toString();
  static final String INPUT = DIR.resolve("seg3d_input.npy").toString();
  static final String MASK = DIR.resolve("seg3d_mask.npy").toString();

  @TempDir
  Path tmp;

  @SuppressWarnings("unchecked")
  static Map<String, Object> obj(Object o, String key) {
    return (Map<String, Object>) ((Map<String, Object>) o).get(key);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> firstSample(Map<String, Object> metrics) {
    return (Map<String, Object>) ((List<Object>) metrics.get("samples")).get(0);
  }

  static double num(Map<String, Object> m, String key) {
    return ((Number) m.get(key)).doubleValue();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> json(Path p) throws IOException {
    return (Map<String, Object>) Json.parse(Files.readString(p));
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Map<String, Object> m, String key) {
    return (List<Object>) m.get(key);
  }

  @Test
  void evaluateWritesTheMetricsAndTheCurves() throws IOException {
    Path out = tmp.resolve("eval");
    // today's curves: logit ratios on the linear scale
    Cli.Run r = Cli.run("evaluate", "--model", MODEL, "--input", INPUT, "--label", MASK, "--layer", "down",
        "--target", "1", "--threads", "2", "--random-seeds", "1", "--curve-score", "logits", "--step-scale", "linear",
        "--out", out.toString());
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("deletion AUC"), r.out());
    Map<String, Object> refs = json(DIR.resolve("metrics_refs.json"));
    Map<String, Object> seg = obj(refs, "seg3d");
    Map<String, Object> sample = firstSample(obj(json(out.resolve("evaluate.json")), "metrics"));
    Map<String, Object> f = obj(sample, "faithfulness");
    // the unperturbed score and the fully blurred end points do not depend on the map: PyTorch's numbers
    assertEquals(num(seg, "unperturbed_score"), num(f, "unperturbed_score"), 1e-4 * num(seg, "unperturbed_score"));
    List<Object> refDeletion = list(obj(seg, "blur"), "deletion");
    List<Object> deletion = list(f, "deletion");
    List<Object> insertion = list(f, "insertion");
    assertEquals(21, deletion.size());
    assertEquals(1.0, ((Number) deletion.get(0)).doubleValue(), 1e-6);
    assertEquals(((Number) refDeletion.get(20)).doubleValue(), ((Number) deletion.get(20)).doubleValue(), 2e-4);
    assertEquals(((Number) refDeletion.get(20)).doubleValue(), ((Number) insertion.get(0)).doubleValue(), 2e-4);
    assertEquals(1.0, ((Number) insertion.get(20)).doubleValue(), 1e-6);
    // mass inside the label, recomputed from the written map
    float[] cam = Npy.read(out.resolve("cam.npy")).data();
    float[] mask = Npy.read(Path.of(MASK)).data();
    double inside = 0;
    double total = 0;
    for (int i = 0; i < cam.length; i++) {
      total += cam[i];
      inside += mask[i] > 0 ? cam[i] : 0;
    }
    Map<String, Object> g = obj(sample, "mask_agreement");
    assertEquals("label", g.get("mask"));
    assertEquals(inside / total, num(g, "mass_inside"), 1e-9);
    assertEquals(4, obj(g, "thresholds").size());
    BufferedImage png = ImageIO.read(out.resolve("curves.png").toFile());
    assertTrue(png.getWidth() > 600 && png.getHeight() > 300);
    Map<String, Object> summary = json(out.resolve("summary.json"));
    assertEquals(num(f, "deletion_auc"), num(obj(firstSample(obj(summary, "metrics")), "faithfulness"),
        "deletion_auc"), 0);
  }

  @Test
  void evaluateByDefaultScoresProbabilitiesOnTheGeometricScaleAndSaysWhatItCosts() throws IOException {
    Path out = tmp.resolve("prob");
    Cli.Run r = Cli.run("evaluate", "--model", MODEL, "--input", INPUT, "--label", MASK, "--layer", "down",
        "--target", "1", "--threads", "2", "--steps", "11", "--random-seeds", "1", "--metrics",
        "deletion-insertion,localisation,sparseness,confidence-change,completeness", "--out", out.toString());
    assertEquals(0, r.exit(), r.toString());
    // before running: the cost; after: one line per further metric, and why completeness does not apply
    assertTrue(r.err().contains("metrics: 40 forward passes and 0 explanation re-runs, about"), r.err());
    assertTrue(r.out().contains("metric   roc-auc: roc_auc 0.7792"), r.out());
    assertTrue(r.out().contains("skipped  completeness: completeness needs a raw attribution"), r.out());
    Map<String, Object> ref = obj(obj(json(DIR.resolve("quantus_refs.json")), "seg3d"), "deletion_insertion");
    Map<String, Object> f = obj(firstSample(obj(json(out.resolve("evaluate.json")), "metrics")), "faithfulness");
    assertEquals("probability", f.get("score"));
    assertEquals("geometric", f.get("step_scale"));
    assertEquals(list(ref, "counts"), list(f, "voxels_removed"));
    assertEquals(num(ref, "unperturbed"), num(f, "unperturbed_score"), 1e-6);
    assertEquals(num(ref, "baseline"), num(f, "baseline_score"), 1e-6);
    List<Object> deletion = list(f, "deletion");
    assertEquals(1.0, ((Number) deletion.get(0)).doubleValue(), 1e-6);
    assertEquals(0.0, ((Number) deletion.get(10)).doubleValue(), 1e-6);
    Map<String, Object> sample = firstSample(obj(json(out.resolve("summary.json")), "metrics"));
    Map<String, Object> a = obj(sample, "mask_agreement");
    double rra = num(obj(obj(json(DIR.resolve("quantus_refs.json")), "seg3d"), "localisation"),
        "relevance_rank_accuracy");
    assertEquals(rra, num(a, "relevance_rank_accuracy"), 1e-3, "Java's own Grad-CAM, within its 1e-6 of PyTorch's");
    assertEquals(rra, num(obj(sample, "headline"), "relevance_rank_accuracy"), 1e-3);
    assertTrue(num(obj(sample, "headline"), "sparseness") > 0);
  }

  @Test
  void explainWithMetricsAddsThemToTheSummaryOnly() throws IOException {
    Path plain = tmp.resolve("plain");
    Path measured = tmp.resolve("measured");
    List<String> common = List.of("explain", "--model", MODEL, "--input", INPUT, "--layer", "down", "--target", "1",
        "--threads", "2", "--no-pictures", "-q");
    List<String> a = new ArrayList<>(common);
    a.addAll(List.of("--out", plain.toString()));
    assertEquals(0, Cli.run(a.toArray(String[]::new)).exit());
    List<String> b = new ArrayList<>(common);
    b.addAll(List.of("--metrics", "--baseline", "zero", "--steps", "5", "--random-seeds", "0", "--out",
        measured.toString()));
    Cli.Run r = Cli.run(b.toArray(String[]::new));
    assertEquals(0, r.exit(), r.toString());
    assertNull(json(plain.resolve("summary.json")).get("metrics"));
    Map<String, Object> sample = firstSample(obj(json(measured.resolve("summary.json")), "metrics"));
    Map<String, Object> f = obj(sample, "faithfulness");
    assertEquals("zero", f.get("baseline"));
    assertEquals(5, list(f, "deletion").size());
    assertNull(f.get("random_deletion_auc"));
    // no label: agreement with the target region the model predicts
    assertEquals("target region", obj(sample, "mask_agreement").get("mask"));
    assertFalse(Files.exists(measured.resolve("evaluate.json")));
  }

  @Test
  @SuppressWarnings("unchecked")
  void compareRanksEveryMethodAndLayerByDeletionAuc() throws IOException {
    Path out = tmp.resolve("cmp");
    Cli.Run r = Cli.run("compare", "--model", MODEL, "--input", INPUT, "--target", "1", "--methods",
        "gradcam,hirescam", "--layer", "down", "--layer", "enc", "--steps", "6", "--random-seeds", "0",
        "--threads", "2", "-q", "--out", out.toString());
    assertEquals(0, r.exit(), r.toString());
    List<String> csv = Files.readAllLines(out.resolve("compare.csv"));
    assertEquals(5, csv.size(), String.join("\n", csv));
    assertTrue(csv.get(0).startsWith("method,layer,deletion_auc,insertion_auc"));
    List<Object> rows = (List<Object>) json(out.resolve("compare.json")).get("rows");
    assertEquals(4, rows.size());
    double previous = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < rows.size(); i++) {
      Map<String, Object> row = (Map<String, Object>) rows.get(i);
      double auc = num(obj(firstSample(obj(row, "metrics")), "faithfulness"), "deletion_auc");
      assertTrue(auc >= previous, "sorted by deletion AUC");
      previous = auc;
      assertTrue(csv.get(i + 1).startsWith(row.get("method") + "," + row.get("layer") + ","));
      assertTrue(Files.exists(out.resolve((String) row.get("folder")).resolve("summary.json")));
    }
    for (String png : List.of("curves.png", "grid.png")) {
      assertTrue(ImageIO.read(out.resolve(png).toFile()).getWidth() > 200, png);
    }
  }

  @Test
  void badMetricOptionsExitWithTwoAndWriteNothing() {
    for (String[] bad : List.of(new String[] {"--baseline", "noise"}, new String[] {"--steps", "1"},
        new String[] {"--random-seeds", "-1"}, new String[] {"--sanity-steps", "0"})) {
      Path out = tmp.resolve("bad");
      Cli.Run r = Cli.run("evaluate", "--model", MODEL, "--input", INPUT, "--layer", "down", "--target", "1",
          bad[0], bad[1], "--out", out.toString());
      assertEquals(2, r.exit(), r.toString());
      assertTrue(r.err().contains(bad[0]), r.err());
      assertFalse(r.err().contains("\tat "), "no stack trace");
      assertFalse(Files.exists(out));
    }
    Cli.Run r = Cli.run("explain", "--model", MODEL, "--input", INPUT, "--layer", "down", "--target", "1",
        "--metrics", "--steps", "1", "--out", tmp.resolve("bad").toString());
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("--steps must be at least 2"), r.err());
  }
}
