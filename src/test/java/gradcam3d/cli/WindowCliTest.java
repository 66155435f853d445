package gradcam3d.cli;

import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** explain/batch --window against the float64 PyTorch sliding-window references, and its bad input. */
class WindowCliTest {
  static final Path ROOT = Path.of("src/test/resources/fixtures/sliding");
  static final Path MODEL = ROOT.resolve("models/seed_unet3d_sw.onnx");
  static final Path NIFTI = ROOT.resolve("inputs/seed_unet3d_sw.nii.gz");

  @TempDir
  Path tmp;

  /** name, layer, class, window, overlap, blend, method. */
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("sw_down3_gaussian", "down3", 1, "24,32,32", "0.5", "gaussian", "gradcam++"),
        Arguments.of("sw_up2_gaussian_overlap25", "up2", 2, "24,32,32", "0.25", "gaussian", "layercam"),
        Arguments.of("sw_up2_constant", "up2", 2, "24,32,32", "0.5", "constant", "gradcam"),
        Arguments.of("sw_single_window", "up2", 2, "40,56,48", "0.5", "gaussian", "gradcam"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void explainMatchesPytorch(String name, String layer, int cls, String window, String overlap, String blend,
      String method) throws IOException {
    Path out = tmp.resolve(name);
    Cli.Run r = Cli.run("explain", "--model", MODEL.toString(), "--input", NIFTI.toString(), "--layer", layer,
        "--target", Integer.toString(cls), "--method", method, "--window", window, "--overlap", overlap, "--blend",
        blend, "--window-batch", "4", "--save-prediction", "--threads", "2", "--out", out.toString());
    assertEquals(0, r.exit(), r.toString());
    Path ref = ROOT.resolve("cases").resolve(name);
    FloatTensor refPrediction = Npy.read(ref.resolve("prediction.npy"));
    double camErr = maxAbsDiff(Npy.read(out.resolve("cam.npy")), Npy.read(ref.resolve(method + ".cam.npy")));
    double predErr = maxAbsDiff(Npy.read(out.resolve("prediction.npy")), refPrediction);
    System.out.printf("CLI %-28s %-10s cam %.2e prediction %.2e%n", name, method, camErr, predErr);
    assertTrue(camErr <= 2e-3, name + ": cam max|diff| " + camErr);
    assertTrue(predErr <= 1e-3 * maxAbs(refPrediction), name + ": prediction max|diff| " + predErr);
    FloatTensor seg = Npy.read(out.resolve("segmentation.npy"));
    assertArrayEquals(new long[] {1, 40, 56, 48}, seg.shape());
    // against our own float32 prediction: PyTorch's float64 one has near-ties the other way
    assertEquals(0, mismatches(Npy.read(out.resolve("prediction.npy")), seg), "segmentation = argmax of the prediction");
    for (String f : List.of("cam.nii.gz", "segmentation.nii.gz", "overlay.png", "summary.json")) {
      assertTrue(Files.exists(out.resolve(f)), f);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> summary = (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
    @SuppressWarnings("unchecked")
    Map<String, Object> sw = (Map<String, Object>) summary.get("sliding_window");
    int windows = ((Number) sw.get("windows")).intValue();
    assertEquals(windows, ((Number) sw.get("windows_run")).intValue() + ((Number) sw.get("windows_skipped")).intValue());
    assertEquals(name.equals("sw_single_window") ? 1 : name.contains("overlap25") ? 8 : 18, windows);
    assertTrue(r.err().contains("explaining windows: " + sw.get("windows_run") + "/" + sw.get("windows_run")
        + " done"), r.err());
    @SuppressWarnings("unchecked")
    Map<String, Object> timings = (Map<String, Object>) summary.get("timings");
    assertTrue(timings.containsKey("windows_predict_ms") && timings.containsKey("windows_explain_ms"), timings.toString());
  }

  /** Voxels where seg differs from the argmax of the prediction . */
  private static int mismatches(FloatTensor p, FloatTensor seg) {
    int voxels = seg.size();
    int classes = (int) p.dim(1);
    int bad = 0;
    for (int v = 0; v < voxels; v++) {
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (p.data()[c * voxels + v] > p.data()[best * voxels + v]) {
          best = c;
        }
      }
      bad += seg.data()[v] == best ? 0 : 1;
    }
    return bad;
  }

  @Test
  void batchTakesTheSameWindowOptions() throws IOException {
    Path scans = Files.createDirectories(tmp.resolve("scans"));
    Files.copy(NIFTI, scans.resolve("a.nii.gz"));
    Files.copy(ROOT.resolve("inputs/seed_unet3d_sw.npy"), scans.resolve("b.npy"));
    Path out = tmp.resolve("out");
    Cli.Run r = Cli.run("batch", "--model", MODEL.toString(), "--inputs-dir", scans.toString(), "--layer", "up2",
        "--target", "2", "--window", "24,32,32", "--overlap", "0.25", "--threads", "2", "--no-pictures", "--quiet",
        "--out", out.toString());
    assertEquals(0, r.exit(), r.toString());
    FloatTensor ref = Npy.read(ROOT.resolve("cases/sw_up2_gaussian_overlap25/gradcam.cam.npy"));
    for (String c : List.of("a", "b")) {
      double err = maxAbsDiff(Npy.read(out.resolve(c).resolve("cam.npy")), ref);
      assertTrue(err <= 2e-3, c + ": cam max|diff| " + err);
      assertTrue(Files.exists(out.resolve(c).resolve("segmentation.npy")), c);
    }
    assertTrue(Files.exists(out.resolve("a/segmentation.nii.gz")));
  }

  @Test
  void badWindowOptionsAreOneLineErrorsAndWriteNothing() throws IOException {
    ModelProto fixed = gradcam3d.testing.ModelEdits.fixedInput(ModelIO.read(MODEL), new long[] {1, 1, 24, 32, 32});
    Path fixedModel = tmp.resolve("fixed.onnx");
    ModelIO.write(fixed, fixedModel, 1 << 30);
    List<String[]> bad = new ArrayList<>();
    bad.add(new String[] {"--window", "24,30,32", "--target", "1"});
    bad.add(new String[] {"--window", "auto", "--target", "1"});
    bad.add(new String[] {"--window", "24,32,32", "--target", "1:box=0,0,0,50,10,10"});
    bad.add(new String[] {"--window", "24,32", "--target", "1"});
    List<String> expected = List.of("not a multiple of 4", "--window auto needs a model with a fixed input size",
        "outside the output grid", "has 2 sizes");
    for (int i = 0; i < bad.size(); i++) {
      Path out = tmp.resolve("bad" + i);
      List<String> args = new ArrayList<>(List.of("explain", "--model", MODEL.toString(), "--input", NIFTI.toString(),
          "--layer", "down3", "--threads", "2", "--out", out.toString()));
      args.addAll(List.of(bad.get(i)));
      assertCleanFailure(Cli.run(args.toArray(String[]::new)), out, expected.get(i));
    }
    Path saliency = tmp.resolve("saliency");
    assertCleanFailure(Cli.run("explain", "--model", MODEL.toString(), "--input", NIFTI.toString(), "--method",
        "saliency", "--target", "1", "--window", "24,32,32", "--out", saliency.toString()), saliency,
        "attributes to the input, not a layer");
    Path out = tmp.resolve("fixed");
    assertCleanFailure(Cli.run("explain", "--model", fixedModel.toString(), "--input", NIFTI.toString(), "--layer",
        "down3", "--target", "1", "--window", "40,56,48", "--out", out.toString()), out, "fixed at [1, 1, 24, 32, 32]");
  }

  /** Bad option values and combinations are checked while parsing: exit 2 (as BadOptionValuesCliTest). */
  @Test
  void badWindowOptionValuesExitTwoAndWriteNothing() {
    List<String[]> bad = new ArrayList<>();
    bad.add(new String[] {"--window", "24,32,32", "--overlap", "1", "--target", "1"});
    bad.add(new String[] {"--window", "24,32,32", "--blend", "cosine", "--target", "1"});
    bad.add(new String[] {"--overlap", "0.3", "--target", "1"});
    bad.add(new String[] {"--window", "24,0,32", "--target", "1"});
    bad.add(new String[] {"--window", "24,32,32", "--save-tensors", "--target", "1"});
    bad.add(new String[] {"--window", "24,32,32", "--metrics", "--target", "1"});
    bad.add(new String[] {"--window", "24,32,32", "--pad-value", "NaN", "--target", "1"});
    bad.add(new String[] {"--window", "24,32,32", "--export-graph", "g.onnx", "--target", "1"});
    List<String> expected = List.of("--overlap must be in [0, 1)", "--blend must be", "need --window",
        "--window must be Z,Y,X", "not available with --window", "--metrics is not available with --window",
        "--pad-value must be a finite number", "--export-graph writes one compiled explanation");
    for (int i = 0; i < bad.size(); i++) {
      Path out = tmp.resolve("badvalue" + i);
      List<String> args = new ArrayList<>(List.of("explain", "--model", MODEL.toString(), "--input", NIFTI.toString(),
          "--layer", "down3", "--threads", "2", "--out", out.toString()));
      args.addAll(List.of(bad.get(i)));
      Cli.Run r = Cli.run(args.toArray(String[]::new));
      assertEquals(2, r.exit(), r.toString());
      assertTrue(r.err().contains(expected.get(i)), r.toString());
      assertEquals(2, r.err().strip().lines().count(), "the error and the --help hint: " + r);
      assertFalse(Files.exists(out), "nothing written: " + out);
    }
  }

  /** Judged once the model or the input is loaded, still a bad option value: exit 2, the error and the --help hint. */
  private static void assertCleanFailure(Cli.Run r, Path out, String text) {
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains(text), r.toString());
    assertEquals(2, r.err().strip().lines().count(), r.toString());
    assertFalse(Files.exists(out), "nothing written: " + out);
  }
}
