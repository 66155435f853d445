package gradcam3d.runtime;

/** How ONNX Runtime sessions are created. */
public record RuntimeOptions(int threads) {
  /** All cores of this machine. */
  public static RuntimeOptions defaults() {
    return new RuntimeOptions(Runtime.getRuntime().availableProcessors());
  }

  public RuntimeOptions {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, not " + threads);
    }
  }
}
