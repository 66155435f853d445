package gradcam3d.cli;

import gradcam3d.Gradcam3dException;
import gradcam3d.report.Json;
import gradcam3d.runtime.Telemetry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A whole {@code gradcam3d explain} process, as a user runs it, timed from its start to its exit by
 * {@code bench --window --explain-process}: a child JVM with this process's JVM options (the
 * launcher's memory settings and class-data archive), writing every default output into a folder
 * in the tool's cache that the caller removes.
 */
final class ExplainProcess {
  /** How often the child's peak resident memory is read while it runs. */
  private static final long POLL_MS = 20;

  /** One run: wall time from start to exit, the child's peak RSS, its own summary.json timings. */
  record Run(double wallMs, double peakRssMb, double totalMs, double writeMs) {}

  private final List<String> command;
  private final Path out;
  private final Path log;

  /** {@code explainArgs}: the explain command's arguments without --out (written into {@code work}). */
  ExplainProcess(List<String> explainArgs, Path work) {
    this.out = work.resolve("out");
    this.log = work.resolve("explain.err");
    List<String> args = new ArrayList<>(List.of("explain", "--quiet", "--out", out.toString()));
    args.addAll(explainArgs);
    String java = ProcessHandle.current().info().command()
        .orElseThrow(() -> new Gradcam3dException("cannot find this process's java command to start an explain process"));
    this.command = Relaunch.command(java, childOptions(ManagementFactory.getRuntimeMXBean().getInputArguments()), args);
  }

  /**
   * This JVM's options for the child, without those that would make it write elsewhere or wait:
   * a class-data archive or class list being recorded, a flight recording, a debugger agent.
   */
  static List<String> childOptions(List<String> jvmOptions) {
    return jvmOptions.stream().filter(o -> !o.startsWith("-XX:ArchiveClassesAtExit")
        && !o.startsWith("-XX:DumpLoadedClassList") && !o.startsWith("-XX:StartFlightRecording") && !o.startsWith("-agentlib:jdwp") && !o.startsWith("-Xrunjdwp"))
        .toList();
  }

  /** Runs the process once (its earlier output removed first); a failure is an error with its message. */
  Run run() {
    gradcam3d.ShutdownCleanup.deleteTree(out);
    ProcessBuilder b = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(log.toFile());
    b.environment().put(Telemetry.VARIABLE, "1");
    b.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
    long t0 = System.nanoTime();
    Process p;
    try {
      p = b.start();
    } catch (IOException e) {
      throw new Gradcam3dException("cannot start an explain process: " + e.getMessage(), e);
    }
    double peak = -1;
    try {
      // VmHWM only grows: its last reading before the exit is the peak, unless that came in the
      // last poll interval (the peak is in the passes, seconds before the exit)
      while (!p.waitFor(POLL_MS, TimeUnit.MILLISECONDS)) {
        peak = Math.max(peak, BenchCommand.peakRssMb(Path.of("/proc", Long.toString(p.pid()), "status")));
      }
    } catch (InterruptedException e) {
      p.destroy();
      Thread.currentThread().interrupt();
      throw new Gradcam3dException("interrupted while timing an explain process");
    }
    double wall = (System.nanoTime() - t0) / 1e6;
    if (p.exitValue() != 0) {
      throw new Gradcam3dException("the explain process failed (exit " + p.exitValue() + "): " + lastLine(log));
    }
    Map<?, ?> timings = timings(out.resolve("summary.json"));
    return new Run(wall, peak, number(timings, "total_ms"), number(timings, "write_ms"));
  }

  /** The process's command line, for the printout. */
  List<String> command() {
    return command;
  }

  private static Map<?, ?> timings(Path summary) {
    try {
      Object t = ((Map<?, ?>) Json.parse(Files.readString(summary, StandardCharsets.UTF_8))).get("timings");
      return t instanceof Map<?, ?> m ? m : Map.of();
    } catch (IOException | RuntimeException e) {
      throw new Gradcam3dException("the explain process wrote no readable " + summary + ": " + e.getMessage(), e);
    }
  }

  private static double number(Map<?, ?> m, String key) {
    return m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static String lastLine(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return lines.isEmpty() ? "(no message)" : lines.get(lines.size() - 1);
    } catch (IOException e) {
      return "(no message)";
    }
  }
}
