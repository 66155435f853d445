package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while `batch --report` writes, at different moments of a real run in a child JVM: the
 * process removes every staging folder and temporary file of its own before it exits, and
 * batch.csv and index.html appear together or not at all.
 */
class BatchSignalCliTest {
  private static final Path DEMO = Path.of("src/main/resources/gradcam3d/demo");
  /** Milliseconds after the first staging folder appears; -1: once the last case is complete. */
  private static final long[] DELAYS = {0, 150, 600, -1};

  @TempDir
  Path tmp;

  @Test
  void sigtermLeavesNoStagingAndTheTablesTogether() throws Exception {
    Path scans = Files.createDirectories(tmp.resolve("scans"));
    int cases = 4;
    for (int i = 0; i < cases; i++) {
      Files.copy(DEMO.resolve("demo_case" + (i % 3 + 1) + ".nii.gz"), scans.resolve("case" + i + ".nii.gz"));
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> report = new ArrayList<>();
    for (int k = 0; k < DELAYS.length; k++) {
      Path out = tmp.resolve("out" + k);
      List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:TieredStopAtLevel=1", "-cp",
          System.getProperty("java.class.path"), Main.class.getName(), "batch", "--model",
          DEMO.resolve("demo_unet3d.onnx").toString(), "--inputs-dir", scans.toString(), "--layer", "up2",
          "--target", "1", "--threads", "1", "--report", "--quiet", "--out", out.toString()));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log" + k).toFile())
          .start();
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (p.isAlive() && System.nanoTime() < deadline
            && (DELAYS[k] >= 0 ? !hasStaging(out) : summaries(out, cases) < cases)) {
          Thread.sleep(2);
        }
        if (DELAYS[k] > 0) {
          Thread.sleep(DELAYS[k]);
        }
        boolean alive = p.isAlive();
        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the run stops");
        List<String> left = leftovers(out);
        boolean csv = Files.exists(out.resolve("batch.csv"));
        boolean index = Files.exists(out.resolve("index.html"));
        report.add("try " + k + " (" + (alive ? "killed" : "had finished") + ", exit " + p.exitValue() + "): "
            + summaries(out, cases) + " cases complete, batch.csv " + csv + ", index.html " + index
            + (left.isEmpty() ? "" : ", left " + left));
        assertEquals(List.of(), left, String.join("\n", report) + "\n" + Files.readString(tmp.resolve("log" + k)));
        assertEquals(csv, index, "batch.csv and index.html together: " + report.get(k));
      } finally {
        p.destroyForcibly();
      }
    }
    report.forEach(System.out::println);
  }

  private static boolean hasStaging(Path out) throws IOException {
    if (!Files.isDirectory(out)) {
      return false;
    }
    try (Stream<Path> s = Files.list(out)) {
      return s.anyMatch(p -> p.getFileName().toString().contains(".staging-"));
    } catch (java.nio.file.NoSuchFileException e) {
      return false;
    }
  }

  private static int summaries(Path out, int cases) {
    int n = 0;
    for (int i = 0; i < cases; i++) {
      n += Files.exists(out.resolve("case" + i).resolve("summary.json")) ? 1 : 0;
    }
    return n;
  }

  /** Staging, old and partial files anywhere under {@code out}. */
  private static List<String> leftovers(Path out) throws IOException {
    if (!Files.exists(out)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(out)) {
      return s.map(p -> out.relativize(p).toString()).filter(n -> n.contains(".staging-") || n.contains(".old-")
          || n.endsWith(".partial")).toList();
    }
  }
}
