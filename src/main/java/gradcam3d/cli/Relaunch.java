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
    List<String> command = new ArrayList<>();
    command.add(java.get());
    command.addAll(jvmOptions);
    command.add("-D" + MARK + "=true");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(Arrays.asList(args));
    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    builder.environment().put(Telemetry.VARIABLE, "1");
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
}
