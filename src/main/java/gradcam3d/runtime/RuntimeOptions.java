package gradcam3d.runtime;

/**
 * How ONNX Runtime sessions are created. {@code fastForm}: compiled programs are rewritten into
 * exactly equivalent ops ONNX Runtime runs faster ({@link gradcam3d.optimize.FastForm}).
 */
public record RuntimeOptions(int threads, boolean fastForm) {
  /** All cores of this machine. */
  public static RuntimeOptions defaults() {
    return new RuntimeOptions(Runtime.getRuntime().availableProcessors());
  }

  public RuntimeOptions(int threads) {
    this(threads, true);
  }

  public RuntimeOptions {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, not " + threads);
    }
  }

  public RuntimeOptions withFastForm(boolean on) {
    return new RuntimeOptions(threads, on);
  }
}
