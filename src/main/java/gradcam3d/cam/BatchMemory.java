package gradcam3d.cam;

import gradcam3d.OptionValueException;
import gradcam3d.Setting;
import gradcam3d.graph.Graph;
import gradcam3d.graph.Specialization;
import java.util.Locale;
import java.util.Map;

/**
 * The memory guard of batched perturbed forward passes, before ONNX Runtime allocates anything:
 * the model specialised to the batch shape, every tensor counted once (an upper bound, as
 * {@link PerturbationRunner} estimates it), times the lanes that run batches side by side;
 * refused when that passes half of this machine's memory.
 */
public final class BatchMemory {
  private BatchMemory() {}

  /** Estimated bytes of one forward pass of {@code model} on a batch shaped {@code batchShape}. */
  public static long estimate(Graph model, String input, long[] batchShape) {
    return PerturbationRunner.estimatedBytes(Specialization.of(model, Map.of(input, batchShape)));
  }

  /**
   * Fails with an option error (exit 2) when {@code lanes} batches of {@code batchShape} at once
   * would need more than half of {@code physical} bytes (this machine's memory when not positive
   * is unknown: no check). {@code what} names the passes, e.g. "occluded passes".
   */
  public static void check(Graph model, String input, long[] batchShape, int lanes, long physical, String what) {
    if (physical <= 0) {
      return;
    }
    long k = batchShape[0];
    long bytes = estimate(model, input, batchShape) * lanes;
    if (bytes > physical / 2) {
      long perPass = Math.max(1, bytes / (k * lanes));
      throw new OptionValueException(Setting.BATCH_SIZE, String.format(Locale.ROOT, Setting.BATCH_SIZE.label()
          + " %d needs about %.1f GB for %d "
          + "batch%s of %s at once, more than half of this machine's %.1f GB; use " + Setting.BATCH_SIZE.label()
          + " %d or less", k,
          bytes / 1e9, lanes, lanes == 1 ? "" : "es", what, physical / 1e9, Math.max(1, physical / 2 / lanes / perPass)));
    }
  }

  /** This machine's physical memory in bytes, or -1 when the JVM does not tell. */
  public static long physicalMemory() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : -1;
  }
}
