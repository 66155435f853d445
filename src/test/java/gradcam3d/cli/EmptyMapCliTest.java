package gradcam3d.cli;

import static gradcam3d.testing.Tensors.maxAbs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.onnx.ModelIO;
import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.OpGraph;
import gradcam3d.volume.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A map that says nothing is said to say nothing: a two-layer net whose class-1 logit is a
 * negative-weighted sum of a ReLU layer, so every Grad-CAM channel weight is negative and the map
 * is zero everywhere. The console warns, naming what helps, and summary.json flags it.
 */
class EmptyMapCliTest {
  @Test
  void anAllZeroMapIsReportedWithAdvice(@TempDir Path tmp) throws Exception {
    OpGraph g = new OpGraph(17, 3);
    float[] x = new float[8 * 8 * 8];
    for (int i = 0; i < x.length; i++) {
      x[i] = 1 + (i * 7) % 5; // positive, varying: the activation varies, so a map can too
    }
    String in = g.input("input", new FloatTensor(x, new long[] {1, 1, 8, 8, 8}));
    String w1 = g.constant(new FloatTensor(new float[] {1, 2}, new long[] {2, 1, 1, 1, 1}));
    String relu = g.node("Relu", List.of(g.node("Conv", List.of(in, w1))));
    // class 0 reads the channels positively, class 1 negatively
    String w2 = g.constant(new FloatTensor(new float[] {1, 1, -1, -2}, new long[] {2, 2, 1, 1, 1}));
    String logits = g.node("Conv", List.of(relu, w2));
    Path model = tmp.resolve("negative.onnx");
    ModelIO.write(g.output(logits).model(), model, Long.MAX_VALUE);
    Path input = tmp.resolve("x.npy");
    Npy.write(new FloatTensor(x, new long[] {1, 8, 8, 8}), input);

    Cli.Run r = Cli.run("explain", "--model", model.toString(), "--input", input.toString(), "--layer", relu,
        "--target", "1:all", "--out", tmp.resolve("out").toString(), "--no-report");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("warning  the map is zero everywhere") && r.out().contains("hirescam or layercam"),
        r.out());
    @SuppressWarnings("unchecked")
    Map<String, Object> summary = (Map<String, Object>) Json.parse(Files.readString(tmp.resolve("out/summary.json")));
    assertEquals(true, summary.get("map_empty"));
    assertTrue(summary.get("map_empty_advice").toString().contains("a layer nearer the output"));
    assertEquals(0f, maxAbs(Npy.read(tmp.resolve("out/cam.npy"))));

    // class 0 reads them positively: a map, no warning
    Cli.Run ok = Cli.run("explain", "--model", model.toString(), "--input", input.toString(), "--layer", relu,
        "--target", "0:all", "--out", tmp.resolve("ok").toString(), "--no-report");
    assertEquals(0, ok.exit(), ok.toString());
    assertTrue(!ok.out().contains("zero everywhere"), ok.out());
    @SuppressWarnings("unchecked")
    Map<String, Object> okSummary = (Map<String, Object>) Json.parse(Files.readString(tmp.resolve("ok/summary.json")));
    assertEquals(false, okSummary.get("map_empty"));
  }
}
