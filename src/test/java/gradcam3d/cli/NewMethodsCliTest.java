package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.NiftiReader;
import gradcam3d.volume.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The new methods through the real command line: dff's concept files, report and summary; every
 * new method in one `compare` (so also measured as `evaluate` measures); `batch`; their option
 * values and combinations refused in one line.
 */
class NewMethodsCliTest {
  private static final String MODEL = "src/test/resources/fixtures/models/seed_unet3d.onnx";
  private static final String NIFTI = "src/test/resources/fixtures/inputs/seed_unet3d.nii.gz";
  private static final String NPY = "src/test/resources/fixtures/inputs/seed_unet3d.npy";

  @TempDir
  Path tmp;

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(Path p) throws IOException {
    return (Map<String, Object>) Json.parse(Files.readString(p));
  }

  @Test
  @SuppressWarnings("unchecked")
  void dffWritesItsConceptsAndShowsThemInTheReport() throws IOException {
    Path out = tmp.resolve("dff");
    Cli.Run r = Cli.run("explain", "--model", MODEL, "--input", NIFTI, "--method", "dff", "--concepts", "3",
        "--layer", "up2", "--target", "2", "--threads", "2", "--no-pictures", "--out", out.toString());
    assertEquals(0, r.exit(), r.toString());
    FloatTensor concepts = Npy.read(out.resolve("concepts.npy"));
    assertArrayEquals(new long[] {1, 3, 24, 40, 32}, concepts.shape());
    NiftiImage nii = NiftiReader.read(out.resolve("concepts.nii.gz"));
    assertArrayEquals(new long[] {32, 40, 24, 3}, nii.header().shape(), "x, y, z, concept");
    // NIfTI order (x fastest) is the tensor's reversed axes: voxel (z, y, x) of concept k
    float[] d = nii.data();
    assertEquals(concepts.data()[((1 * 24 + 5) * 40 + 7) * 32 + 9], d[((1 * 24 + 5) * 40 + 7) * 32 + 9]);
    String html = Files.readString(out.resolve("report.html"));
    for (int k = 0; k < 3; k++) {
      assertTrue(html.contains("concept " + k + " · dff"), "the report's map switch lists concept " + k);
    }
    Map<String, Object> s = json(out.resolve("summary.json"));
    assertEquals(3, ((Number) ((Map<String, Object>) s.get("method_parameters")).get("concepts")).intValue());
    Map<String, Object> dff = (Map<String, Object>) s.get("dff");
    Map<String, Object> sample = (Map<String, Object>) ((List<Object>) dff.get("samples")).get(0);
    assertTrue(((Number) sample.get("relative_error")).doubleValue() < 1);
    assertEquals(3, ((List<Object>) sample.get("classes")).size());
    assertTrue(((List<Object>) s.get("files")).containsAll(List.of("concepts.npy", "concepts.nii.gz")));
  }

  /** Every new method in one compare on the small metrics model (3 classes): one row each, measured. */
  @Test
  @SuppressWarnings("unchecked")
  void compareMeasuresEveryNewMethod() throws IOException {
    Path out = tmp.resolve("cmp");
    Cli.Run r = Cli.run("compare", "--model", MetricsCliTest.MODEL, "--input", MetricsCliTest.INPUT, "--target", "1",
        "--methods", "fem,kpca-cam,seg-eigen-cam,finer-cam,fullgrad,refine-cam,random-cam,dff", "--layer", "down",
        "--finer-compare", "2", "--concepts", "2", "--fem-k", "1", "--steps", "4", "--random-seeds", "0",
        "--threads", "2", "-q", "--out", out.toString());
    assertEquals(0, r.exit(), r.toString());
    List<Object> rows = (List<Object>) json(out.resolve("compare.json")).get("rows");
    List<String> seen = new ArrayList<>();
    for (Object o : rows) {
      Map<String, Object> row = (Map<String, Object>) o;
      seen.add(row.get("method") + " " + row.get("layer"));
      Map<String, Object> summary = json(out.resolve((String) row.get("folder")).resolve("summary.json"));
      assertTrue(summary.containsKey("metrics"), row.toString());
      if (row.get("method").equals("fem")) {
        Map<String, Object> p = (Map<String, Object>) summary.get("method_parameters");
        assertEquals(1.0, ((Number) p.get("fem_k")).doubleValue(), "compare passes the method's options");
      }
    }
    seen.sort(null);
    assertEquals(List.of("dff down", "fem down", "finer-cam down", "fullgrad input", "kpca-cam down", "random-cam down",
        "refine-cam down", "seg-eigen-cam down"), seen);
  }

  @Test
  void batchRunsANewMethod() throws IOException {
    Path scans = Files.createDirectories(tmp.resolve("scans"));
    Files.copy(DemoScans.DEMO.resolve("demo_case1.nii.gz"), scans.resolve("a.nii.gz"));
    Files.copy(DemoScans.DEMO.resolve("demo_case2.nii.gz"), scans.resolve("b.nii.gz"));
    Path out = tmp.resolve("batch");
    Cli.Run r = Cli.run("batch", "--model", DemoScans.MODEL.toString(), "--inputs-dir", scans.toString(),
        "--method", "fullgrad", "--target", "1", "--threads", "2", "--no-pictures", "--quiet", "--out", out.toString());
    assertEquals(0, r.exit(), r.toString());
    for (String c : List.of("a", "b")) {
      assertTrue(Files.exists(out.resolve(c).resolve("cam.nii.gz")), c);
      assertTrue(json(out.resolve(c).resolve("summary.json")).containsKey("fullgrad"));
    }
  }

  @Test
  void badValuesAndCombinationsAreOneLineErrors() {
    List<List<String>> exit2 = List.of(
        List.of("--method", "kpca-cam", "--kpca-kernel", "laplace", "--layer", "down3"),
        List.of("--method", "kpca-cam", "--kpca-gamma", "0", "--layer", "down3"),
        List.of("--method", "fem", "--fem-k", "-1", "--layer", "down3"),
        List.of("--method", "finer-cam", "--finer-compare", "0", "--layer", "down3"),
        List.of("--method", "finer-cam", "--finer-alpha", "nan", "--layer", "down3"),
        List.of("--method", "dff", "--concepts", "0", "--layer", "down3"),
        List.of("--method", "refine-cam", "--refine-base", "eigencam", "--layer", "down3"),
        List.of("--method", "finer-cam", "--score", "probabilities", "--layer", "down3"),
        List.of("--method", "dff", "--concepts", "99", "--layer", "down3"),
        List.of("--method", "dff", "--layer", "down3", "--layer", "up2"));
    List<String> words = List.of("--kpca-kernel", "--kpca-gamma", "--fem-k", "--finer-compare", "--finer-alpha",
        "--concepts", "--refine-base", "--score probabilities", "--concepts 99",
        "one --layer");
    for (int i = 0; i < exit2.size(); i++) {
      assertOneLine(exit2.get(i), 2, words.get(i));
    }
    // a method with an option it cannot take is a bad option value too (exit 2, issue 26.17)
    assertOneLine(List.of("--method", "fullgrad", "--layer", "down3"), 2, "takes no --layer");
    assertOneLine(List.of("--method", "fem", "--layer", "down3", "--window", "24,40,32"), 2,
        "fem does not run per window");
    assertOneLine(List.of("--method", "kpca-cam", "--layer", "down3", "--export-graph",
        tmp.resolve("k.onnx").toString()), 1, "kpca-cam is not one graph");
  }

  private void assertOneLine(List<String> extra, int code, String word) {
    Path out = tmp.resolve("bad");
    List<String> args = new ArrayList<>(List.of("explain", "--model", MODEL, "--input", NPY, "--target", "2",
        "--threads", "1", "--no-pictures", "--out", out.toString()));
    args.addAll(extra);
    Cli.Run r = Cli.run(args.toArray(String[]::new));
    assertEquals(code, r.exit(), extra + ": " + r);
    assertTrue(r.err().contains(word), extra + ": " + r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace");
    assertFalse(r.err().contains("internal error"), r.err());
    assertFalse(Files.exists(out), "nothing written");
  }
}
