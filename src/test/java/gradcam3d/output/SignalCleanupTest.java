package gradcam3d.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A run stopped by SIGTERM or SIGINT while writing removes its staging folder on the way out. */
class SignalCleanupTest {
  /**
   * Writer threads still adding files to the staging folder while the stop removes it (they
   * would re-create it): the folder and every temporary file are gone all the same, every time.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4})
  void stagingIsRemovedWhileWritersAreBusy(int attempt, @org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        StagingHolder.class.getName(), tmp.resolve("out").toString(), "busy").redirectErrorStream(true).start();
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      Path staging = Path.of(r.readLine());
      new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the run stops");
      try (java.util.stream.Stream<Path> s = Files.walk(tmp)) {
        assertEquals(List.of(), s.map(x -> tmp.relativize(x).toString()).filter(n -> n.contains(".staging-")
            || n.endsWith(".partial")).limit(5).toList(), "attempt " + attempt + ": nothing left of " + staging);
      }
    } finally {
      p.destroyForcibly();
    }
  }

  /** A stop while batch.csv and index.html are written leaves neither (and no temporary file). */
  @org.junit.jupiter.api.Test
  void filesWrittenTogetherAppearTogetherOrNotAtAll(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path out = Files.createDirectories(tmp.resolve("out"));
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        StagingHolder.class.getName(), out.toString(), "pair").redirectErrorStream(true).start();
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("writing", r.readLine());
      new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the run stops");
      try (java.util.stream.Stream<Path> s = Files.list(out)) {
        assertEquals(List.of(), s.map(x -> x.getFileName().toString()).toList(), "neither file, no temporary file");
      }
    } finally {
      p.destroyForcibly();
    }
  }

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
