package gradcam3d.output;

import gradcam3d.Futures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A writer's work running on its own thread while the other writers run: its own thread, not the
 * common pool, which has a single thread on a 2-core machine and already renders the montage.
 */
public final class Background<T> {
  /** Work that may fail, e.g. with an I/O error. */
  @FunctionalInterface
  public interface Work<T> {
    T run() throws Exception;
  }

  private final CompletableFuture<T> result;
  /** How long the work ran, written on its thread before the result completes. */
  private final long[] ranNanos;

  private Background(CompletableFuture<T> result, long[] ranNanos) {
    this.result = result;
    this.ranNanos = ranNanos;
  }

  /** Starts {@code work} on a new daemon thread. */
  public static <T> Background<T> start(String name, Work<T> work) {
    long[] ran = new long[1];
    return new Background<>(Futures.onOwnThread(name, () -> {
      long t0 = System.nanoTime();
      try {
        return work.run();
      } finally {
        ran[0] = System.nanoTime() - t0;
      }
    }), ran);
  }

  /** How long the work ran on its thread (waits for it to end). */
  long ranNanos() {
    await();
    return ranNanos[0];
  }

  /** The work's result, or its own exception (a one-line Gradcam3dException stays one). */
  public T join() throws IOException {
    try {
      return Futures.join(result);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (CompletionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** The work's result as a future (e.g. for a renderer that joins it itself). */
  java.util.concurrent.CompletableFuture<T> future() {
    return result;
  }

  /** Waits for the work to end, whatever its outcome (before its folder is removed). */
  void await() {
    Futures.await(result);
  }
}
