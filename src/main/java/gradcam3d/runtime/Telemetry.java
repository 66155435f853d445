package gradcam3d.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;

/**
 * ONNX Runtime's official builds collect usage events (the model's producer and graph names, file
 * names, OS, CPU, a device id), keep them in {@code ~/.cache/Microsoft/DeveloperTools/.onnxruntime}
 * and upload them. A tool for medical data sends nothing and writes nothing outside its output and
 * its own cache, so telemetry is turned off in two ways:
 *
 * <ul>
 *   <li>{@value #VARIABLE}=1 in the process environment, read by ONNX Runtime's native start-up:
 *       the only switch that stops everything, including the device id and the event database
 *       (measured: with the Java call alone, 3 start-up events and both files remain). The
 *       launcher, the command line started by {@code java -jar} (it starts itself again with the
 *       variable set), the Spark job's executors and the tests set it.
 *   <li>{@link OrtEnvironment#setTelemetry}(false) on the environment, always: it stops every
 *       later event where the variable could not be set (Java cannot change its own environment).
 * </ul>
 */
public final class Telemetry {
  /** The environment variable that keeps ONNX Runtime's telemetry from starting at all. */
  public static final String VARIABLE = "ORT_DISABLE_TELEMETRY";

  private static boolean warned;

  private Telemetry() {}

  /** Whether this process was started with telemetry off (the variable set to 1). */
  public static boolean offForProcess() {
    return "1".equals(System.getenv(VARIABLE));
  }

  /**
   * Turns off the events an already created environment would still send, and says once on
   * stderr when the process was started without the variable.
   */
  static void turnOff(OrtEnvironment env) {
    try {
      env.setTelemetry(false);
    } catch (OrtException e) {
      // a build without telemetry has nothing to turn off
    }
    warnOnce();
  }

  private static synchronized void warnOnce() {
    if (warned || offForProcess()) {
      return;
    }
    warned = true;
    System.err.println("gradcam3d: this Java process was started without " + VARIABLE + "=1, so ONNX Runtime"
        + " recorded its start-up telemetry events; set it before starting Java (bin/gradcam3d does) to keep"
        + " ONNX Runtime from writing or sending anything");
  }
}
