package gradcam3d.cam;

import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import gradcam3d.cli.Main;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.Fixtures;
import gradcam3d.testing.Fixtures.Case;
import gradcam3d.volume.Npy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * --export-graph: the written ONNX file, run by a fresh plain ONNX Runtime session (no gradcam3d
 * code in the run), reproduces the command line's cam_layer and cam. Grad-CAM's graph computes
 * them for the gradient methods and, with the principal component in graph ops, for the eigen
 * methods (whose command-line path is the host's exact eigen-decomposition).
 */
class ExportGraphTest {
  private static final String MODEL = "src/test/resources/fixtures/models/seed_unet3d.onnx";
  private static final String INPUT = "src/test/resources/fixtures/inputs/seed_unet3d.npy";

  private static String run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    assertEquals(0, code, out + "\n" + err);
    return out.toString();
  }

  /** Runs the exported file on an input and a target (the seed's shape is the file's gc3d_seed input). */
  private static Map<String, FloatTensor> runExported(Path onnx, FloatTensor x, String target, List<String> outputs)
      throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, FloatTensor> result = new HashMap<>();
    try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions())) {
      assertEquals(3, s.getInputNames().size(), s.getInputNames().toString());
      long[] os = ((TensorInfo) s.getInputInfo().get("gc3d_seed").getInfo()).getShape();
      GradientEngine.Seed seed = Target.seed(List.of(Target.parse(target)), os);
      try (OnnxTensor in = tensor(env, x);
           OnnxTensor w = tensor(env, seed.weights());
           OnnxTensor g = tensor(env, seed.gate());
           OrtSession.Result r = s.run(Map.of("input", in, "gc3d_seed", w, "gc3d_gate", g))) {
        for (String o : outputs) {
          OnnxTensor t = (OnnxTensor) r.get(o).orElseThrow();
          FloatBuffer fb = t.getFloatBuffer();
          float[] d = new float[fb.remaining()];
          fb.get(d);
          result.put(o, new FloatTensor(d, t.getInfo().getShape()));
        }
      }
    }
    return result;
  }

  private static OnnxTensor tensor(OrtEnvironment env, FloatTensor t) throws Exception {
    return OnnxTensor.createTensor(env, FloatBuffer.wrap(t.data()), t.shape());
  }

  @Test
  void gradCamGraphReproducesTheCommandLine(@TempDir Path tmp) throws Exception {
    Path onnx = tmp.resolve("gradcam.onnx");
    run("explain", "--model", MODEL, "--input", INPUT, "--layer", "down3", "--target", "2", "--threads", "1",
        "--no-pictures", "--save-layer-cam", "--export-graph", onnx.toString(), "--out", tmp.resolve("out").toString());
    Map<String, FloatTensor> r = runExported(onnx, Npy.read(Path.of(INPUT)), "2", List.of("cam_layer_0", "resized_0"));
    FloatTensor camLayer = Npy.read(tmp.resolve("out/cam_layer.npy"));
    FloatTensor cam = Npy.read(tmp.resolve("out/cam.npy"));
    assertTrue(maxAbsDiff(r.get("cam_layer_0"), camLayer) <= 1e-5 * maxAbs(camLayer));
    assertTrue(maxAbsDiff(Normalise.perSample(r.get("resized_0")), cam) <= 1e-5);
    // and against PyTorch
    FloatTensor ref = Npy.read(Path.of("src/test/resources/fixtures/cases/seed_unet3d__down3__gradcam/cam.npy"));
    assertTrue(maxAbsDiff(Normalise.perSample(r.get("resized_0")), ref) <= 2e-3);
  }

  static Stream<Case> eigenCases() {
    return Fixtures.cases().stream().filter(c -> c.method().startsWith("eigen"));
  }

  /**
   * EigenCAM / Eigen-Grad-CAM: the file computes the principal component in graph ops (repeated
   * squaring) where the command line uses the host's Jacobi solution; both agree to float32
   * rounding, and with PyTorch's SVD at the fixture tolerance.
   */
  @ParameterizedTest
  @MethodSource("eigenCases")
  void eigenGraphReproducesTheCommandLine(Case c, @TempDir Path tmp) throws Exception {
    Path onnx = tmp.resolve("eigen.onnx");
    String target = c.isSegmentation() ? Integer.toString(c.targetClass()) : "argmax";
    run("explain", "--model", c.model().toString(), "--input", c.inputNpy().toString(), "--layer", c.layerSpec(),
        "--target", target, "--method", c.method(), "--threads", "1", "--no-pictures", "--save-layer-cam",
        "--export-graph", onnx.toString(), "--out", tmp.resolve("out").toString());
    Map<String, FloatTensor> r = runExported(onnx, Npy.read(c.inputNpy()), target, List.of("cam_layer_0", "resized_0"));
    FloatTensor cliLayer = Npy.read(tmp.resolve("out/cam_layer.npy"));
    FloatTensor cliCam = Npy.read(tmp.resolve("out/cam.npy"));
    FloatTensor cam = Normalise.perSample(r.get("resized_0"));
    double layerErr = maxAbsDiff(r.get("cam_layer_0"), cliLayer) / maxAbs(cliLayer);
    double camErr = maxAbsDiff(cam, cliCam);
    System.out.printf("%-40s exported vs CLI: cam_layer %.2e (relative)  cam %.2e%n", c.name(), layerErr, camErr);
    assertTrue(layerErr <= 1e-5, c + ": cam_layer relative max|diff| " + layerErr);
    assertTrue(camErr <= 1e-5, c + ": cam max|diff| " + camErr);
    // and against PyTorch (FixtureCamTest's tolerances)
    FloatTensor refLayer = c.expected("cam_layer");
    assertTrue(maxAbsDiff(r.get("cam_layer_0"), refLayer) <= 2e-3 * Math.max(1, maxAbs(refLayer)));
    assertTrue(maxAbsDiff(cam, c.expected("cam")) <= 2e-3);
  }

  @Test
  void perturbationMethodsAreRefusedInOneLine(@TempDir Path tmp) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new String[] {"explain", "--model", MODEL, "--input", INPUT, "--layer", "down3",
        "--target", "2", "--method", "scorecam", "--threads", "1", "--no-pictures",
        "--export-graph", tmp.resolve("s.onnx").toString(), "--out", tmp.resolve("out").toString()},
        new PrintWriter(out, true), new PrintWriter(err, true));
    assertEquals(1, code);
    assertEquals("error: --export-graph: scorecam is not one graph (it runs extra forward passes from the host)",
        err.toString().strip(), "refused before any work");
    assertFalse(Files.exists(tmp.resolve("s.onnx")));
    assertFalse(Files.exists(tmp.resolve("out")));
  }
}
