package gradcam3d.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import gradcam3d.cam.methods.EigenCam;
import gradcam3d.cli.Main;
import gradcam3d.report.Json;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --export-graph: the written ONNX file, run by a fresh plain ONNX Runtime session (no gradcam3d
 * code in the run), reproduces the command line's cam_layer and cam. Grad-CAM's graph computes
 * them; for EigenCAM the graph outputs the layer activation and the host's principal component,
 * resize and min-max finish it, as Explainer#compiledGraph documents.
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

  /** Runs the exported file on the fixture input and the target "class 2 where predicted". */
  private static Map<String, FloatTensor> runExported(Path onnx, FloatTensor x, List<String> outputs) throws Exception {
    long[] os = {1, 3, 24, 40, 32};
    GradientEngine.Seed seed = Target.seed(List.of(Target.parse("2")), os);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, FloatTensor> result = new HashMap<>();
    try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
         OnnxTensor in = tensor(env, x);
         OnnxTensor w = tensor(env, seed.weights());
         OnnxTensor g = tensor(env, seed.gate())) {
      assertEquals(3, s.getInputNames().size(), s.getInputNames().toString());
      try (OrtSession.Result r = s.run(Map.of("input", in, "gc3d_seed", w, "gc3d_gate", g))) {
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
    Map<String, FloatTensor> r = runExported(onnx, Npy.read(Path.of(INPUT)), List.of("cam_layer_0", "resized_0"));
    FloatTensor camLayer = Npy.read(tmp.resolve("out/cam_layer.npy"));
    FloatTensor cam = Npy.read(tmp.resolve("out/cam.npy"));
    assertTrue(r.get("cam_layer_0").maxAbsDiff(camLayer) <= 1e-5 * camLayer.maxAbs());
    assertTrue(Normalise.perSample(r.get("resized_0")).maxAbsDiff(cam) <= 1e-5);
    // and against PyTorch
    FloatTensor ref = Npy.read(Path.of("src/test/resources/fixtures/cases/seed_unet3d__down3__gradcam/cam.npy"));
    assertTrue(Normalise.perSample(r.get("resized_0")).maxAbsDiff(ref) <= 2e-3);
  }

  @Test
  @SuppressWarnings("unchecked")
  void eigenCamGraphGivesTheActivationTheHostFinishes(@TempDir Path tmp) throws Exception {
    Path onnx = tmp.resolve("eigencam.onnx");
    run("explain", "--model", MODEL, "--input", INPUT, "--layer", "down3", "--target", "2", "--method", "eigencam",
        "--threads", "1", "--no-pictures", "--save-layer-cam", "--export-graph", onnx.toString(),
        "--out", tmp.resolve("out").toString());
    Map<String, Object> summary = (Map<String, Object>) Json.parse(Files.readString(tmp.resolve("out/summary.json")));
    String tensor = (String) ((List<Map<String, Object>>) summary.get("layers")).get(0).get("tensor");
    FloatTensor x = Npy.read(Path.of(INPUT));
    FloatTensor activation = runExported(onnx, x, List.of(tensor)).get(tensor);
    FloatTensor camLayer = new EigenCam().camLayer(activation, null);
    FloatTensor cliLayer = Npy.read(tmp.resolve("out/cam_layer.npy"));
    assertTrue(camLayer.maxAbsDiff(cliLayer) <= 1e-5 * cliLayer.maxAbs());
    try (ResizeProgram resize = new ResizeProgram(new RuntimeOptions(1))) {
      FloatTensor cam = Normalise.perSample(resize.run(List.of(camLayer), new long[] {24, 40, 32}).get(0));
      assertTrue(cam.maxAbsDiff(Npy.read(tmp.resolve("out/cam.npy"))) <= 1e-5);
    }
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
