package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.report.Json;
import gradcam3d.volume.Npy;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gradcam3d serve: each answer is what explain does with the same arguments (maps, exit code,
 * message), requests that differ in input, output and target share one open pipeline, and
 * everything on stdout is one JSON line per request.
 */
class ServeCliTest {
  private static final String FIX = "src/test/resources/fixtures/";

  @TempDir
  Path tmp;

  private List<String> request(String target, Path out) {
    return List.of("--model", FIX + "models/seed_unet3d.onnx", "--input", FIX + "inputs/seed_unet3d.npy",
        "--layer", "down3", "--target", target, "--out", out.toString(), "--no-pictures", "--no-report", "--threads", "2");
  }

  private static String line(int id, List<String> args) {
    StringBuilder sb = new StringBuilder("{\"id\": " + id + ", \"args\": [");
    for (int i = 0; i < args.size(); i++) {
      sb.append(i > 0 ? ", " : "").append('"').append(args.get(i).replace("\\", "\\\\")).append('"');
    }
    return sb.append("]}").toString();
  }

  @Test
  @SuppressWarnings("unchecked")
  void answersEachRequestAsExplainWouldAndKeepsThePipelineOpen() throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add(line(1, request("2", tmp.resolve("a"))));
    lines.add(line(2, request("1", tmp.resolve("b"))));
    lines.add(line(3, request("2:mask=" + FIX + "inputs/seed_unet3d_mask.npy", tmp.resolve("c"))));
    lines.add(line(4, request("7", tmp.resolve("d"))));
    lines.add("not json");
    ServeCommand serve = new ServeCommand();
    serve.capacity = 2;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream answers = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      serve.serve(new BufferedReader(new StringReader(String.join("\n", lines) + "\n")), answers);
    }
    String[] out = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(6, out.length, "a ready line and one line per request:\n" + String.join("\n", out));
    Map<String, Object> ready = (Map<String, Object>) Json.parse(out[0]);
    assertEquals(true, ready.get("ready"));
    assertTrue(((List<String>) ready.get("methods")).contains("gradcam"));
    long pid = ProcessHandle.current().pid();
    assertEquals(pid, ((Number) ready.get("pid")).longValue());

    // the same request as a command line of its own writes the same map
    Cli.Run cli = Cli.run(prepend("explain", request("1", tmp.resolve("cli"))));
    assertEquals(0, cli.exit(), cli.toString());
    for (int i = 1; i <= 3; i++) {
      Map<String, Object> a = (Map<String, Object>) Json.parse(out[i]);
      assertEquals((long) i, ((Number) a.get("id")).longValue());
      assertEquals(0L, ((Number) a.get("exit")).longValue(), out[i]);
      assertNull(a.get("error"));
      assertEquals(pid, ((Number) a.get("pid")).longValue());
    }
    assertArrayEquals(Npy.read(tmp.resolve("cli/cam.npy")).data(), Npy.read(tmp.resolve("b/cam.npy")).data());

    // a bad target: explain's exit code and one-line message, and the next line is still read
    Cli.Run bad = Cli.run(prepend("explain", request("7", tmp.resolve("bad"))));
    Map<String, Object> a4 = (Map<String, Object>) Json.parse(out[4]);
    assertEquals((long) bad.exit(), ((Number) a4.get("exit")).longValue());
    assertEquals(2, bad.exit(), "a target class the model lacks: an option value judged after loading");
    // the one-line message, the first of what explain prints (then its "Try ... --help" hint)
    assertEquals(bad.err().strip().lines().findFirst().orElseThrow(), a4.get("error"));
    assertEquals(bad.err(), a4.get("stderr"));
    Map<String, Object> a5 = (Map<String, Object>) Json.parse(out[5]);
    assertEquals(2L, ((Number) a5.get("exit")).longValue());
    assertTrue(((String) a5.get("error")).startsWith("error: serve: "), out[5]);
  }

  @Test
  void requestsDifferingOnlyInInputOutputAndTargetShareOnePipeline() {
    try (ServeCommand.Pipelines pipelines = new ServeCommand.Pipelines(2)) {
      assertEquals(0L, exit(pipelines, line(1, request("2", tmp.resolve("a")))));
      assertEquals(0L, exit(pipelines, line(2, request("1", tmp.resolve("b")))));
      assertEquals(2L, exit(pipelines, line(3, request("7", tmp.resolve("c")))));
      assertEquals(1, pipelines.opened(), "one pipeline for the model, layer and method");
      List<String> other = new ArrayList<>(request("2", tmp.resolve("d")));
      other.set(other.indexOf("down3"), "up2");
      assertEquals(0L, exit(pipelines, line(4, other)));
      assertEquals(2, pipelines.opened(), "another layer is another pipeline");
    }
  }

  private static long exit(ServeCommand.Pipelines pipelines, String line) {
    return ((Number) ServeCommand.answer(line, pipelines).get("exit")).longValue();
  }

  private static String[] prepend(String first, List<String> rest) {
    List<String> all = new ArrayList<>();
    all.add(first);
    all.addAll(rest);
    return all.toArray(String[]::new);
  }
}
