package gradcam3d.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX Runtime's native libraries come from a per-user cache and leave nothing in the temp folder. */
class NativeLibrariesTest {
  @TempDir
  Path work;

  @Test
  void aCleanRunLeavesTheTempFolderEmptyAndReusesTheCache() throws Exception {
    Path tmp = Files.createDirectories(work.resolve("tmp"));
    Path cache = work.resolve("cache");
    Process first = start(tmp, cache, "exit");
    String line = firstLine(first);
    assertEquals(0, first.waitFor());
    assertTrue(line.startsWith("loaded from " + cache), line);
    assertEquals(List.of(), list(tmp), "nothing left in the temp folder");
    Path lib = onlyChild(cache).resolve(System.mapLibraryName("onnxruntime"));
    assertTrue(Files.size(lib) > 1_000_000, "the runtime library is in the cache");
    FileTime extracted = Files.getLastModifiedTime(lib);

    Process second = start(tmp, cache, "exit");
    firstLine(second);
    assertEquals(0, second.waitFor());
    assertEquals(extracted, Files.getLastModifiedTime(lib), "the cached copy is reused, not rewritten");
    assertEquals(List.of(), list(tmp));
  }

  @Test
  void aKilledRunLeavesTheTempFolderEmpty() throws Exception {
    Path tmp = Files.createDirectories(work.resolve("tmp"));
    Process p = start(tmp, work.resolve("cache"), "wait");
    try {
      assertTrue(firstLine(p).startsWith("loaded from "));
      p.destroyForcibly(); // SIGKILL: no shutdown hooks, no delete-on-exit
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    } finally {
      p.destroyForcibly();
    }
    assertEquals(List.of(), list(tmp), "nothing left in the temp folder after a kill");
  }

  @Test
  void onnxRuntimeLogLinesStayOffTheTerminal() throws Exception {
    Path tmp = Files.createDirectories(work.resolve("tmp"));
    Process p = start(tmp, work.resolve("cache"), "huge");
    String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor());
    assertTrue(all.contains("error: ONNX Runtime failed to run the huge graph"), all);
    // native lines look like "[E:onnxruntime:, sequential_executor.cc:671 ExecuteKernel] ..."
    assertFalse(Pattern.compile("\\[[VIWEF]:onnxruntime").matcher(all).find(),
        "no native log line: " + all);
  }

  private static Process start(Path tmp, Path cache, String mode) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp,
        "-cp", System.getProperty("java.class.path"), OrtLoadingMain.class.getName(), mode);
    pb.environment().put("GRADCAM3D_CACHE", cache.toString());
    pb.redirectErrorStream(true);
    return pb.start();
  }

  private static String firstLine(Process p) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    return line == null ? "" : line;
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(x -> x.getFileName().toString()).sorted().toList();
    }
  }

  private static Path onlyChild(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> children = s.toList();
      assertEquals(1, children.size(), children.toString());
      return children.get(0);
    }
  }
}
