package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.runtime.Telemetry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run writes nothing outside --out and the tool's own cache: in particular not ONNX Runtime's
 * telemetry (a device id and an event database under ~/.cache/Microsoft), which its official
 * builds record unless ORT_DISABLE_TELEMETRY=1 is in the environment when it loads. The command
 * line runs in a fresh JVM with HOME and the temp folder pointing at empty folders, started as
 * {@code java -cp ... Main} without the variable, as {@code java -jar} would be.
 */
class PrivacyCliTest {
  @Test
  void aRunWritesOnlyItsOutputAndItsOwnCache(@TempDir Path tmp) throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path temp = Files.createDirectories(tmp.resolve("temp"));
    Path out = tmp.resolve("out");
    Run r = run(home, temp, List.of(), "demo", "--out", out.toString());
    assertEquals(0, r.exit, r.output);
    assertTrue(Files.isRegularFile(out.resolve("cam.nii.gz")), r.output);
    assertEquals(List.of(), filesOutside(home, home.resolve(".cache/gradcam3d")),
        "files in HOME outside the tool's cache");
    assertEquals(List.of(), filesOutside(temp, null), "files left in the temp folder");
    assertFalse(r.output.contains(Telemetry.VARIABLE), "no telemetry warning when the command starts itself: " + r.output);
  }

  /**
   * In a JVM started without the variable that cannot start itself again (here: marked as the
   * child already), ONNX Runtime's own switch is all there is: the user is told how to turn it off.
   */
  @Test
  void aProcessStartedWithoutTheSwitchSaysHowToTurnTelemetryOff(@TempDir Path tmp) throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path temp = Files.createDirectories(tmp.resolve("temp"));
    Run r = run(home, temp, List.of("-D" + Relaunch.MARK + "=true"), "demo", "--out", tmp.resolve("out").toString());
    assertEquals(0, r.exit, r.output);
    assertTrue(r.output.contains(Telemetry.VARIABLE + "=1"), r.output);
  }

  private record Run(int exit, String output) {}

  private static Run run(Path home, Path temp, List<String> jvmOptions, String... args)
      throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-Djava.io.tmpdir=" + temp));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.remove(Telemetry.VARIABLE);
    env.remove("GRADCAM3D_CACHE");
    env.remove("XDG_CACHE_HOME");
    env.put("HOME", home.toString());
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run ends");
    return new Run(p.exitValue(), output);
  }

  /** Every file under {@code root} that is not under {@code allowed}, relative to root. */
  private static List<String> filesOutside(Path root, Path allowed) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      return all.filter(p -> !Files.isDirectory(p))
          .filter(p -> allowed == null || !p.startsWith(allowed))
          .map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }
}
