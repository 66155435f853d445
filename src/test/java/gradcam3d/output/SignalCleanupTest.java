package gradcam3d.output;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A run stopped by SIGTERM or SIGINT while writing removes its staging folder on the way out. */
class SignalCleanupTest {
  @ParameterizedTest
  @ValueSource(strings = {"TERM", "INT"})
  void stagingIsRemovedOnSignal(String signal, @org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        StagingHolder.class.getName(), tmp.resolve("out").toString()).redirectErrorStream(true).start();
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      Path staging = Path.of(r.readLine());
      assertTrue(Files.isDirectory(staging), "staging folder exists while the run writes");
      new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the run stops");
      assertFalse(Files.exists(staging), "the staging folder is gone after SIG" + signal);
      assertFalse(Files.exists(tmp.resolve("out")), "no result appeared");
    } finally {
      p.destroyForcibly();
    }
  }
}
