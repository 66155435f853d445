package gradcam3d.runtime;

/**
 * How ONNX Runtime sessions are created. {@code fastForm}: compiled programs are rewritten into
 * exactly equivalent ops ONNX Runtime runs faster ({@link gradcam3d.optimize.FastForm}).
 * {@code memoryPattern}: ONNX Runtime plans each run's intermediate tensors as one block (its
 * default); off, they are allocated one by one from the arena as they are needed, which keeps a
 * session's working memory near what is alive at once (measured on the bench U-Net's decoder
 * forward + backward: 231 instead of 361 MB; no slowdown showed in the 192^3 sliding-window
 * benchmark, docs/benchmarks.md), for sessions that stay alive side by side (the streamed
 * sliding-window passes). {@code programCache}: compiled programs may come from, and go to, the
 * on-disk {@link ProgramCache} when one is configured (off for measuring compilation).
 */
public record RuntimeOptions(int threads, boolean fastForm, boolean memoryPattern, boolean programCache) {
  /** All cores of this machine ({@link gradcam3d.Defaults#threads}). */
  public static RuntimeOptions defaults() {
    return new RuntimeOptions(gradcam3d.Defaults.threads());
  }

  public RuntimeOptions(int threads) {
    this(threads, true);
  }

  public RuntimeOptions(int threads, boolean fastForm) {
    this(threads, fastForm, true, true);
  }

  public RuntimeOptions {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, not " + threads);
    }
  }

  public RuntimeOptions withThreads(int n) {
    return new RuntimeOptions(n, fastForm, memoryPattern, programCache);
  }

  public RuntimeOptions withFastForm(boolean on) {
    return new RuntimeOptions(threads, on, memoryPattern, programCache);
  }

  public RuntimeOptions withMemoryPattern(boolean on) {
    return new RuntimeOptions(threads, fastForm, on, programCache);
  }

  public RuntimeOptions withProgramCache(boolean on) {
    return new RuntimeOptions(threads, fastForm, memoryPattern, on);
  }
}
