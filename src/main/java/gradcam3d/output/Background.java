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

  private Background(CompletableFuture<T> result) {
    this.result = result;
  }

  /** Starts {@code work} on a new daemon thread. */
  public static <T> Background<T> start(String name, Work<T> work) {
    return new Background<>(Futures.onOwnThread(name, work::run));
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

  /** Waits for the work to end, whatever its outcome (before its folder is removed). */
  void await() {
    Futures.await(result);
  }
}
