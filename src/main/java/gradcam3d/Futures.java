package gradcam3d;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Work that overlaps the main flow (reading input, compressing, drawing) on threads of its own:
 * not the common pool, which has a single thread on a 2-core machine; a thread whose work has
 * ended takes the next. Failures come back as the task's own exception, so a one-line {@link
 * Gradcam3dException} stays one.
 */
public final class Futures {
  private Futures() {}

  /** A thread's name while it waits for the next work. */
  private static final String IDLE = "gradcam3d-idle";

  /**
   * The daemon threads work runs on: each takes one work at a time, and one is started when none
   * is free; a thread idle for a minute ends. Started threads are kept because a batch starts
   * several works per case (reading ahead, the gray window, the pictures, the montage), and
   * starting a thread costs about 0.2 ms of CPU.
   */
  private static final ExecutorService THREADS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
      new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, IDLE);
        t.setDaemon(true);
        return t;
      });

  /**
   * Starts {@code work} on a daemon thread of its own, named {@code gradcam3d-<name>} while it
   * runs: a new thread, or one whose earlier work has ended.
   */
  public static <T> CompletableFuture<T> onOwnThread(String name, Callable<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    THREADS.execute(() -> {
      Thread t = Thread.currentThread();
      t.setName("gradcam3d-" + name);
      try {
        result.complete(work.call());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      } finally {
        t.setName(IDLE);
      }
    });
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
