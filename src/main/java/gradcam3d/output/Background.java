package gradcam3d.output;

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

  private final CompletableFuture<T> result = new CompletableFuture<>();

  private Background() {}

  /** Starts {@code work} on a new daemon thread. */
  public static <T> Background<T> start(String name, Work<T> work) {
    Background<T> b = new Background<>();
    Thread t = new Thread(() -> {
      try {
        b.result.complete(work.run());
      } catch (Throwable e) {
        b.result.completeExceptionally(e);
      }
    }, "gradcam3d-" + name);
    t.setDaemon(true);
    t.start();
    return b;
  }

  /** The work's result, or its own exception (a one-line Gradcam3dException stays one). */
  public T join() throws IOException {
    try {
      return result.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** Waits for the work to end, whatever its outcome (before its folder is removed). */
  void await() {
    try {
      result.handle((v, e) -> null).join();
    } catch (RuntimeException ignored) {
      // handle() turns every outcome into a normal completion
    }
  }
}
