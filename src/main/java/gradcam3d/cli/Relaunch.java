package gradcam3d.cli;

import gradcam3d.runtime.Telemetry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Started as {@code java -jar gradcam3d.jar} rather than by {@code bin/gradcam3d}, the command
 * line starts itself again in a child JVM with {@value Telemetry#VARIABLE}=1: ONNX Runtime reads
 * that variable when it loads, and Java cannot set its own environment. The child runs the same
 * JVM options, class path and arguments on the same terminal; its exit code is this process's.
 */
final class Relaunch {
  /**
   * The JVM options {@code bin/gradcam3d} runs with (memory: the serial collector keeping 10-30%
   * of its heap free, docs/benchmarks.md; no performance-data file in /tmp), given to the child
   * when the user chose no heap or collector: {@code java -jar} then uses the memory the launcher
   * does, not the default collector's (the 512x512x256 sliding-window case: 5.1 GB peak with G1's
   * defaults). LauncherOptionsTest keeps this list equal to the launcher's.
   */
  static final List<String> LAUNCHER_OPTIONS = List.of("-Xmx8g", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1",
      "-XX:Tier3BackEdgeThreshold=3000", "-XX:+UseSerialGC", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30",
      "-XX:NewRatio=4", "-XX:PretenureSizeThreshold=1m");

  /** Set on the child, so it never starts another. */
  static final String MARK = "gradcam3d.relaunched";

  private Relaunch() {}

  /**
   * The child's exit code, or empty when this process runs the command itself: telemetry is off
   * already, it is the child, it runs under a debugger agent (a second JVM would fight for its
   * port), or no child could be started (then ONNX Runtime's Java switch is all there is).
   */
  static Optional<Integer> withTelemetryOff(String[] args) {
    if (Telemetry.offForProcess() || Boolean.getBoolean(MARK)) {
      return Optional.empty();
    }
    Optional<String> java = ProcessHandle.current().info().command();
    if (java.isEmpty()) {
      return Optional.empty();
    }
    List<String> jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments();
    if (jvmOptions.stream().anyMatch(o -> o.startsWith("-agentlib:jdwp") || o.startsWith("-Xrunjdwp"))) {
      return Optional.empty();
    }
    List<String> command = command(java.get(), jvmOptions, Arrays.asList(args));
    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    builder.environment().put(Telemetry.VARIABLE, "1");
    // as the launcher: two malloc arenas, not one per lane thread (docs/benchmarks.md)
    builder.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
    Process child;
    try {
      child = builder.start();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    // SIGTERM/SIGINT reach this process: pass them on and wait, so the child removes its own
    // staging folders before either exits
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (child.isAlive()) {
        child.destroy();
        try {
          child.waitFor();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }, "gradcam3d-relaunch"));
    while (true) {
      try {
        return Optional.of(child.waitFor());
      } catch (InterruptedException e) {
        // keep waiting: the exit code is the child's
      }
    }
  }

  /**
   * The command line of a child JVM running {@code args} like this process: {@code java}, its JVM
   * options with the launcher's memory ({@link #withLauncherMemory}), the mark, this class path.
   */
  static List<String> command(String java, List<String> jvmOptions, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(withLauncherMemory(jvmOptions));
    command.add("-D" + MARK + "=true");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(args);
    return command;
  }

  /** The user's JVM options, with the launcher's when they name no heap size or collector. */
  static List<String> withLauncherMemory(List<String> jvmOptions) {
    boolean chosen = jvmOptions.stream().anyMatch(o -> o.startsWith("-Xmx") || o.startsWith("-XX:MaxRAM")
        || o.matches("-XX:[+]Use\\w+GC") || o.contains("HeapFreeRatio"));
    if (chosen) {
      return jvmOptions;
    }
    List<String> all = new ArrayList<>(LAUNCHER_OPTIONS);
    all.addAll(jvmOptions);
    return all;
  }
}
