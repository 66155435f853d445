package gradcam3d;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Work that overlaps the main flow (reading input, compressing, drawing) on threads of its own:
 * not the common pool, which has a single thread on a 2-core machine. Failures come back as the
 * task's own exception, so a one-line {@link Gradcam3dException} stays one.
 */
public final class Futures {
  private Futures() {}

  /** Starts {@code work} on a new daemon thread named {@code gradcam3d-<name>}. */
  public static <T> CompletableFuture<T> onOwnThread(String name, Callable<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        result.complete(work.call());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    }, "gradcam3d-" + name);
    t.setDaemon(true);
    t.start();
    return result;
  }

  /** The task's result, or its own unchecked exception or error (a checked one arrives wrapped). */
  public static <T> T join(CompletableFuture<T> task) {
    try {
      return task.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /** Waits until the task has ended, whatever its outcome. */
  public static void await(CompletableFuture<?> task) {
    task.handle((v, e) -> null).join();
  }
}
