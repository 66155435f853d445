package gradcam3d;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Python client's own tests (python/tests, unittest) as part of the build: run by Debian's
 * python3 against the engine classes this build compiled ($GRADCAM3D_COMMAND), so that
 * {@code mvn -B verify} tests both sides of the protocol. Skipped, saying why, where python3
 * with numpy and torch is missing; .ci/run installs them and sets GRADCAM3D_REQUIRE_PYTHON=1,
 * which turns the skip into a failure.
 */
class PythonClientTest {
  private static final long TIMEOUT_MINUTES = 10;

  /** $GRADCAM3D_PYTHON, else Debian's /usr/bin/python3, else python3 on the PATH. */
  static String python() {
    String given = System.getenv("GRADCAM3D_PYTHON");
    if (given != null && !given.isBlank()) {
      return given;
    }
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  @Test
  void pythonPackageTestsPass() throws Exception {
    String python = python();
    Run probe = run(List.of(python, "-c", "import numpy, torch"), Map.of(), 2);
    if (probe.exit() != 0) {
      String why = python + " cannot import numpy and torch (" + lastLine(probe.output()) + "); .ci/run installs "
          + "Debian's python3-numpy and python3-torch";
      if ("1".equals(System.getenv("GRADCAM3D_REQUIRE_PYTHON"))) {
        throw new IllegalStateException("GRADCAM3D_REQUIRE_PYTHON=1 but " + why);
      }
      Assumptions.assumeTrue(false, why);
    }
    // the engine as the classes of this build: bin/gradcam3d would package the jar, inside this build
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String engine = Stream.of(java, "-Xmx2g", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData",
        "-cp", System.getProperty("java.class.path"), "gradcam3d.cli.Main")
        .map(PythonClientTest::shellQuoted).collect(Collectors.joining(" "));
    Run tests = run(List.of(python, "-m", "unittest", "discover", "-v", "-s", "python/tests"),
        Map.of("GRADCAM3D_COMMAND", engine, "MPLBACKEND", "Agg", "PYTHONDONTWRITEBYTECODE", "1",
            "ORT_DISABLE_TELEMETRY", "1"), TIMEOUT_MINUTES);
    System.out.println(tests.output());
    assertEquals(0, tests.exit(), "python -m unittest discover -s python/tests failed:\n" + tests.output());
    assertTrue(tests.output().contains("\nOK"), tests.output());
  }

  private record Run(int exit, String output) {}

  private static Run run(List<String> command, Map<String, String> env, long minutes) throws IOException,
      InterruptedException {
    ProcessBuilder b = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    b.environment().putAll(env);
    Process p;
    try {
      p = b.start();
    } catch (IOException e) {
      return new Run(127, e.getMessage());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> {
      try (InputStream in = p.getInputStream()) {
        in.transferTo(out);
      } catch (IOException e) {
        // the process ended; what was read is kept
      }
    });
    reader.start();
    if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      reader.join(5000);
      return new Run(-1, out.toString(StandardCharsets.UTF_8) + "\n(timed out after " + minutes + " min)");
    }
    reader.join();
    return new Run(p.exitValue(), out.toString(StandardCharsets.UTF_8));
  }

  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1];
  }

  private static String shellQuoted(String s) {
    return "'" + s.replace("'", "'\"'\"'") + "'";
  }
}
