package gradcam3d.runtime;

import gradcam3d.Gradcam3dException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Work shared by K lanes running side by side, one resource per lane (a session, an explainer)
 * with its share of the threads. Why: ONNX Runtime's intra-op scaling is about 1.66x on two
 * threads, while two single-threaded sessions side by side finish nearly twice the work of one
 * (a 96^3 forward: 110 ms per window of throughput against 131 ms on one session with 2 threads;
 * docs/benchmarks.md), and the Java work around each run (crops, seeds, sums) runs in parallel too.
 * A job always runs whole on one lane, so its result does not depend on the number of lanes as
 * long as each lane has the same threads.
 *
 * <p>Failure: the first failing job's own exception is rethrown (in {@link #ordered}: the first in
 * job order), the other lanes stop after their current job, and every lane thread has ended when
 * a call returns or throws.
 *
 * <pre>{@code
 * try (Lanes<GradientEngine> lanes = Lanes.open(options, o -> new GradientEngine(model, cfg, o))) {
 *   lanes.ordered(jobs, (engine, j) -> engine.run(inputs(j), seed(j)), (j, r) -> add(r));
 * }
 * }</pre>
 */
public final class Lanes<R extends AutoCloseable> implements AutoCloseable {

  /** A job that leaves its result in shared state (each job its own slots). */
  @FunctionalInterface
  public interface Job<L> {
    void run(L lane, int index);
  }

  /** A job that returns its result. */
  @FunctionalInterface
  public interface Task<L, T> {
    T run(L lane, int index);
  }

  /** Takes the results of {@link #ordered} in job order, on the calling thread. */
  @FunctionalInterface
  public interface Sink<T> {
    void accept(int index, T result);
  }

  private final List<R> lanes;

  private Lanes(List<R> lanes) {
    this.lanes = Collections.unmodifiableList(lanes);
  }

  /** How many lanes for this many threads: two from two threads on (two cores are what we measured). */
  public static int count(int threads) {
    return Math.min(2, threads);
  }

  /** Threads of lane {@code lane} of {@code lanes}, as evenly as they go: 3 threads give lanes of 2 and 1. */
  public static int threads(int lane, int lanes, int threads) {
    return threads / lanes + (lane < threads % lanes ? 1 : 0);
  }

  /** The options of each lane: {@link #count} lanes sharing {@code options}' threads. */
  public static List<RuntimeOptions> split(RuntimeOptions options) {
    int n = count(options.threads());
    List<RuntimeOptions> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(options.withThreads(threads(i, n, options.threads())));
    }
    return out;
  }

  /** Opens one resource per lane with the lane's options; on failure closes those already open. */
  public static <R extends AutoCloseable> Lanes<R> open(RuntimeOptions options, Function<RuntimeOptions, R> open) {
    List<R> opened = new ArrayList<>();
    try {
      for (RuntimeOptions o : split(options)) {
        opened.add(open.apply(o));
      }
    } catch (RuntimeException | Error e) {
      closeAll(opened, e);
      throw e;
    }
    return new Lanes<>(opened);
  }

  public int size() {
    return lanes.size();
  }

  /** Lane 0's resource: for questions every lane answers alike (shapes). */
  public R first() {
    return lanes.get(0);
  }

  public List<R> all() {
    return lanes;
  }

  /**
   * Whether job {@code index} of {@code jobs} is its lane's last in {@link #ordered} on {@code lanes}
   * lanes: the lane's session may give its working memory back after it.
   */
  public static boolean lastOnLane(int lanes, int jobs, int index) {
    return index + Math.min(lanes, jobs) >= jobs;
  }

  /** {@link #shared(List, int, Job)} on these lanes. */
  public void shared(int jobs, Job<R> job) {
    shared(lanes, jobs, job);
  }

  /** {@link #ordered(List, int, Task, Sink)} on these lanes. */
  public <T> void ordered(int jobs, Task<R, T> task, Sink<T> sink) {
    ordered(lanes, jobs, task, sink);
  }

  /**
   * Runs jobs 0..jobs-1, each lane taking the next job when it is free (a slow lane never holds the
   * others up); the calling thread is lane 0. With one lane (or one job) everything runs on the
   * calling thread.
   */
  public static <L> void shared(List<L> lanes, int jobs, Job<L> job) {
    int used = Math.min(lanes.size(), jobs);
    if (used <= 1) {
      for (int j = 0; j < jobs; j++) {
        job.run(lanes.get(0), j);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Throwable> failed = new AtomicReference<>();
    List<Thread> helpers = new ArrayList<>();
    for (int i = 1; i < used; i++) {
      L lane = lanes.get(i);
      helpers.add(start(i, () -> takeJobs(lane, jobs, job, next, failed)));
    }
    takeJobs(lanes.get(0), jobs, job, next, failed);
    joinAll(helpers);
    rethrow(failed.get());
  }

  private static <L> void takeJobs(L lane, int jobs, Job<L> job, AtomicInteger next,
      AtomicReference<Throwable> failed) {
    try {
      for (int j = next.getAndIncrement(); j < jobs; j = next.getAndIncrement()) {
        job.run(lane, j);
      }
    } catch (RuntimeException | Error e) {
      failed.compareAndSet(null, e);
      next.set(jobs);
    }
  }

  /** A job's outcome handed from a lane to the calling thread. */
  private record Outcome(Object result, Throwable failure) {}

  /**
   * Runs jobs 0..jobs-1 on the lanes (job j on lane j mod K) and hands each result to {@code sink}
   * in job order on the calling thread, never in completion order, so sums come out exactly as
   * with one lane. A lane keeps at most one finished result waiting for the sink while it runs its
   * next job. With one lane (or one job) it is a plain loop on the calling thread.
   */
  public static <L, T> void ordered(List<L> lanes, int jobs, Task<L, T> task, Sink<T> sink) {
    int used = Math.min(lanes.size(), jobs);
    if (used <= 1) {
      for (int j = 0; j < jobs; j++) {
        sink.accept(j, task.run(lanes.get(0), j));
      }
      return;
    }
    List<SynchronousQueue<Outcome>> handoff = new ArrayList<>();
    List<Thread> helpers = new ArrayList<>();
    try {
      for (int i = 0; i < used; i++) {
        SynchronousQueue<Outcome> q = new SynchronousQueue<>();
        handoff.add(q);
        int first = i;
        L lane = lanes.get(i);
        helpers.add(start(i, () -> runLane(lane, first, used, jobs, task, q)));
      }
      for (int j = 0; j < jobs; j++) {
        Outcome o;
        try {
          o = handoff.get(j % used).take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new Gradcam3dException("interrupted while waiting for window results");
        }
        if (o.failure() != null) {
          rethrow(o.failure());
        }
        @SuppressWarnings("unchecked")
        T result = (T) o.result();
        sink.accept(j, result);
      }
    } finally {
      // a lane blocked handing over a result nobody takes any more, or between jobs, ends now;
      // one inside a native run ends when the run returns
      helpers.forEach(Thread::interrupt);
      joinAll(helpers);
    }
  }

  /**
   * Like {@link #ordered}, but each lane takes the next job as soon as it is free instead of job j
   * going to lane j mod K: for jobs of unequal cost (the streamed sliding-window passes alternate
   * a forward step and a cheaper explain step, which round robin put on one lane each, so the
   * cheaper lane waited for the other every pair of steps). The results still reach {@code sink}
   * in job order on the calling thread, so sums come out as with one lane when every lane has the
   * same threads. At most {@code 2 * lanes} jobs past the last one sunk are running or waiting for
   * the sink. A job may wait for the sink to have taken an earlier job (never a later one).
   */
  public static <L, T> void orderedAsFree(List<L> lanes, int jobs, Task<L, T> task, Sink<T> sink) {
    int used = Math.min(lanes.size(), jobs);
    if (used <= 1) {
      for (int j = 0; j < jobs; j++) {
        sink.accept(j, task.run(lanes.get(0), j));
      }
      return;
    }
    FreeLanes state = new FreeLanes(jobs, 2 * used);
    List<Thread> helpers = new ArrayList<>();
    try {
      for (int i = 0; i < used; i++) {
        L lane = lanes.get(i);
        helpers.add(start(i, () -> state.work(lane, task)));
      }
      for (int j = 0; j < jobs; j++) {
        Outcome o = state.result(j);
        if (o.failure() != null) {
          rethrow(o.failure());
        }
        @SuppressWarnings("unchecked")
        T result = (T) o.result();
        sink.accept(j, result);
        state.sunk(j);
      }
    } finally {
      state.stop();
      helpers.forEach(Thread::interrupt);
      joinAll(helpers);
    }
  }

  /** The jobs of {@link #orderedAsFree}: which is next, which are done, how far the sink is. */
  private static final class FreeLanes {
    private final int jobs;
    private final int ahead;
    private final java.util.Map<Integer, Outcome> done = new java.util.HashMap<>();
    private int next;
    private int sunk;
    private boolean stopped;

    FreeLanes(int jobs, int ahead) {
      this.jobs = jobs;
      this.ahead = ahead;
    }

    <L, T> void work(L lane, Task<L, T> task) {
      while (true) {
        int j;
        synchronized (this) {
          while (!stopped && next < jobs && next - sunk >= ahead) {
            try {
              wait();
            } catch (InterruptedException e) {
              return;
            }
          }
          if (stopped || next >= jobs) {
            return;
          }
          j = next++;
        }
        Outcome o;
        try {
          o = new Outcome(task.run(lane, j), null);
        } catch (RuntimeException | Error e) {
          o = new Outcome(null, e);
        }
        synchronized (this) {
          done.put(j, o);
          if (o.failure() != null) {
            stopped = true; // no new jobs; those already taken (all before j, or after) finish
          }
          notifyAll();
        }
        if (o.failure() != null) {
          return;
        }
      }
    }

    /** Job j's outcome, waiting for it (every job before a failed one was taken, so this ends). */
    synchronized Outcome result(int j) {
      while (!done.containsKey(j)) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new Gradcam3dException("interrupted while waiting for window results");
        }
      }
      return done.remove(j);
    }

    synchronized void sunk(int j) {
      sunk = j + 1;
      notifyAll();
    }

    synchronized void stop() {
      stopped = true;
      notifyAll();
    }
  }

  private static <L, T> void runLane(L lane, int first, int step, int jobs, Task<L, T> task,
      SynchronousQueue<Outcome> out) {
    for (int j = first; j < jobs; j += step) {
      if (Thread.currentThread().isInterrupted()) {
        return;
      }
      Outcome o;
      try {
        o = new Outcome(task.run(lane, j), null);
      } catch (RuntimeException | Error e) {
        o = new Outcome(null, e);
      }
      try {
        out.put(o);
      } catch (InterruptedException e) {
        return; // the caller stopped (a failure elsewhere, or its sink failed)
      }
      if (o.failure() != null) {
        return;
      }
    }
  }

  private static Thread start(int lane, Runnable body) {
    Thread t = new Thread(body, "gradcam3d-lane-" + lane);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Waits for every thread even when interrupted (no lane outlives the call), then restores the flag. */
  private static void joinAll(List<Thread> threads) {
    boolean interrupted = false;
    for (Thread t : threads) {
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void rethrow(Throwable t) {
    if (t == null) {
      return;
    }
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException(t);
  }

  private static void closeAll(List<? extends AutoCloseable> resources, Throwable cause) {
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        cause.addSuppressed(e);
      }
    }
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (R r : lanes) {
      try {
        r.close();
      } catch (Exception e) {
        if (first == null) {
          first = e instanceof RuntimeException re ? re : new IllegalStateException(e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
