package gradcam3d;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Runs chunks 0..n-1 of a job on the calling thread and on the common pool's threads, each
 * taking the next chunk not yet taken until none is left; the caller then waits only for the
 * chunks still running elsewhere. Unlike a parallel stream, a caller whose helpers are busy with
 * other work does every chunk itself without waiting for them, and nothing spins while it waits:
 * several writers each running such jobs at once (a large scan's pictures and report) share the
 * two cores of a small machine without the pool's help-and-scan loops.
 */
public final class Chunks {
  private Chunks() {}

  /** Runs {@code chunk} for 0..n-1, in no particular order; the first failure is thrown here. */
  public static void run(int n, IntConsumer chunk) {
    if (n <= 0) {
      return;
    }
    if (n == 1) {
      chunk.accept(0);
      return;
    }
    Job job = new Job(n, chunk);
    ForkJoinPool pool = ForkJoinPool.commonPool();
    int helpers = Math.min(n - 1, Math.max(1, pool.getParallelism()));
    for (int h = 0; h < helpers; h++) {
      pool.execute(job::work);
    }
    job.work();
    job.await();
  }

  private static final class Job {
    private final int n;
    private final IntConsumer chunk;
    private final AtomicInteger next = new AtomicInteger();
    /** Set once a chunk failed: the chunks taken after it end without running. */
    private volatile boolean failed;
    /** Chunks ended (run, failed or skipped after a failure); guarded by this. */
    private int ended;
    private Throwable failure;

    Job(int n, IntConsumer chunk) {
      this.n = n;
      this.chunk = chunk;
    }

    void work() {
      for (int c; (c = next.getAndIncrement()) < n; ) {
        Throwable thrown = null;
        if (!failed) {
          try {
            chunk.accept(c);
          } catch (Throwable t) {
            thrown = t;
            failed = true;
          }
        }
        synchronized (this) {
          if (thrown != null && failure == null) {
            failure = thrown;
          }
          if (++ended == n) {
            notifyAll();
          }
        }
      }
    }

    /** Waits for every chunk taken by another thread to end (the caller has taken the rest). */
    synchronized void await() {
      boolean interrupted = false;
      while (ended < n) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (failure instanceof RuntimeException r) {
        throw r;
      }
      if (failure instanceof Error e) {
        throw e;
      }
      if (failure != null) {
        throw new IllegalStateException(failure);
      }
    }
  }
}
