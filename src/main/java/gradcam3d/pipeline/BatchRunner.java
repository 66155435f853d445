package gradcam3d.pipeline;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A batch as a library, the one loop the command line's {@code batch} and the Spark job share:
 * every case of a share explained with one pipeline (the model read once, programs compiled once
 * per input shape), the next case's input read while this one is explained, a case with an earlier
 * complete result kept instead of explained again, and a failing case a result of its own, not the
 * end of the batch. What a case is to the caller ({@code C}), where its files come from, what is
 * written and what counts as an earlier result belong to the caller's {@link Sink}.
 *
 * <pre>{@code
 * try (ExplanationPipeline p = new ExplanationPipeline(settings)) {
 *   BatchRunner.Tally t = new BatchRunner(p).run(cases, Shard.ALL, mySink, Progress.NONE);
 * }
 * }</pre>
 */
public final class BatchRunner {
  /**
   * One case's local input: its folder name, its files (channels) and label as the pipeline reads
   * them, why its label is missing where one was asked for (an error of this case, not of the
   * batch; null if none), and its own targets (empty: the settings').
   */
  public record Case(String folder, CaseInput input, String labelProblem, List<Target> targets) {
    public Case {
      targets = List.copyOf(targets);
    }

    /** A listed case of a folder or of given files, with the settings' targets. */
    public static Case of(String folder, CaseListing.Listed listed, String series) {
      return new Case(folder, CaseInput.of(listed.files(), listed.label()).withSeries(series), listed.labelProblem(),
          List.of());
    }

    /** The pipeline's input; a missing label fails the case here. */
    CaseInput checkedInput() {
      if (labelProblem != null) {
        throw new Gradcam3dException(labelProblem);
      }
      return input;
    }
  }

  /**
   * Where a batch's cases come from and its results go. {@link #earlier}, {@link #open} and
   * {@link #prepare} are called on the thread that runs the batch, one case after another except
   * that the next case's {@code earlier} and {@code open} may come before this case is explained
   * (read-ahead); {@link #explained}, {@link #kept} and {@link #failed} are called in case order on
   * one writing thread, while the next case is explained (overlapped writing), so what they share
   * with the others must be safe to share. {@code K} is what the caller keeps of an earlier result,
   * {@code P} what it prepares on the loaded input (e.g. writers that start while the maps are
   * computed). Every case ends in exactly one of {@code explained}, {@code kept}, {@code failed}.
   */
  public interface Sink<C, K, P> {
    /**
     * An earlier complete result of this case to keep instead of explaining it again, or null; a
     * {@link Gradcam3dException} fails this case only.
     */
    K earlier(C c);

    /**
     * The case's local input (a remote file copied here first); a {@link Gradcam3dException} fails
     * this case only.
     */
    Case open(C c);

    /** Called with the loaded input before the maps are computed; returns what {@link #explained} gets. */
    P prepare(C c, LoadedCase loaded);

    /** The explained case, to write; a {@link Gradcam3dException} here fails this case only. */
    void explained(C c, CaseResult r, P prepared, double seconds);

    void kept(C c, K earlier, double seconds);

    /** A one-line error of this case (the batch goes on). */
    void failed(C c, String error, double seconds);
  }

  /** How a batch's cases ended. */
  public record Tally(int explained, int kept, int failed) {
    public int cases() {
      return explained + kept + failed;
    }
  }

  /** Where a batch's time goes ({@link Timings}). */
  public enum Phase {
    /** Batch thread: an earlier result looked up, the case opened, its read-ahead started. */
    OPENING,
    /** Read-ahead thread: the input files read and decoded while the previous case is explained. */
    READING,
    /** Batch thread: the input loaded (waiting for its read-ahead, or reading it), checked, normalised. */
    LOADING,
    /** Batch thread: the sink's work on the loaded input ({@link Sink#prepare}). */
    PREPARING,
    /** Batch thread: targets, the maps, their normalisation and the way back to the scan's grid. */
    EXPLAINING,
    /** Batch thread: waiting for a case's memory, i.e. for a write to end (two cases held). */
    WAITING,
    /** Writing thread: the sink's {@link Sink#explained}, {@link Sink#kept} or {@link Sink#failed}. */
    WRITING,
    /** Batch thread: after the last case is explained, waiting for the writes still under way. */
    LAST_WRITES
  }

  /**
   * Where a batch's time went, summed over its cases and runs (what {@code gradcam3d bench
   * --batch} reports): phases on the batch's, the read-ahead and the writing threads. Complete
   * once {@link #run} has returned.
   */
  public static final class Timings {
    private final AtomicLongArray nanos = new AtomicLongArray(Phase.values().length);

    public double seconds(Phase p) {
      return nanos.get(p.ordinal()) / 1e9;
    }

    void add(Phase p, long n) {
      nanos.addAndGet(p.ordinal(), n);
    }

    /** Adds the time since {@code t0} to {@code p}; returns now. */
    long since(Phase p, long t0) {
      long now = System.nanoTime();
      add(p, now - t0);
      return now;
    }
  }

  /**
   * How many cases a batch holds at once (input read, being explained, or explained and waiting
   * for or being written): the memory of two cases.
   */
  public static final int CASES_HELD = 2;

  private final ExplanationPipeline pipeline;
  private final boolean readAhead;
  private final boolean overlapWriting;
  private final boolean internalErrorsAsResults;
  private final Timings timings;

  /**
   * A runner over {@code pipeline} that reads one case ahead, writes a case while the next one is
   * explained, and stops at an internal error.
   */
  public BatchRunner(ExplanationPipeline pipeline) {
    this(pipeline, true, true, false, new Timings());
  }

  private BatchRunner(ExplanationPipeline pipeline, boolean readAhead, boolean overlapWriting,
      boolean internalErrorsAsResults, Timings timings) {
    this.pipeline = pipeline;
    this.readAhead = readAhead;
    this.overlapWriting = overlapWriting;
    this.internalErrorsAsResults = internalErrorsAsResults;
    this.timings = timings;
  }

  /** The same runner reading each case's input only when its turn comes. */
  public BatchRunner withoutReadAhead() {
    return new BatchRunner(pipeline, false, overlapWriting, internalErrorsAsResults, timings);
  }

  /** The same runner writing each case before the next one is explained, on the batch's thread. */
  public BatchRunner withoutOverlappedWriting() {
    return new BatchRunner(pipeline, readAhead, false, internalErrorsAsResults, timings);
  }

  /**
   * The same runner making an unexpected exception (a bug, not a problem of the input) a failed
   * case too, with the exception as its error: a cluster job goes on where a command would stop.
   */
  public BatchRunner withInternalErrorsAsResults() {
    return new BatchRunner(pipeline, readAhead, overlapWriting, true, timings);
  }

  /** The same runner adding where its time goes to {@code t} (each run's phases summed into it). */
  public BatchRunner timedInto(Timings t) {
    return new BatchRunner(pipeline, readAhead, overlapWriting, internalErrorsAsResults, t);
  }

  /** A case's turn as prepared: kept, or opened (with its input read ahead), or failed to open. */
  private record Turn<C, K>(C c, K earlier, Case opened, InputPrefetch read, String problem, long preparedNanos) {}

  /** A case's turn as explained, for the writer: kept, failed (problem), or a result with what was prepared. */
  private record Ended<C, K, P>(C c, K earlier, CaseResult result, P prepared, String problem, double seconds) {}

  private enum End { EXPLAINED, KEPT, FAILED }

  /**
   * Runs the cases {@code share} holds (positions in {@code cases}), in order. The sink's
   * {@link Sink#explained}, {@link Sink#kept} and {@link Sink#failed} are called in case order on
   * one writing thread (with overlapped writing, not the caller's; it has ended when this returns),
   * the others and {@code progress} (a step per case explained, kept or failed) on the caller's
   * thread; at most {@link #CASES_HELD} cases are held at once.
   */
  public <C, K, P> Tally run(List<C> cases, Shard share, Sink<C, K, P> sink, Progress progress) {
    Semaphore held = new Semaphore(CASES_HELD);
    int[] ends = new int[End.values().length];
    ExecutorService writer = overlapWriting ? Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "gradcam3d-write");
      t.setDaemon(true);
      return t;
    }) : null;
    List<Future<?>> writes = new ArrayList<>();
    try {
      int i = nextHeld(share, -1, cases.size());
      Turn<C, K> turn = null;
      if (i >= 0) {
        held.acquireUninterruptibly();
        turn = prepare(cases.get(i), sink);
      }
      while (turn != null) {
        int next = nextHeld(share, i, cases.size());
        // the next case's input is read while this one is explained, when a case's memory is free
        Turn<C, K> ahead = next >= 0 && readAhead && held.tryAcquire() ? prepare(cases.get(next), sink) : null;
        Ended<C, K, P> ended = explain(turn, sink);
        // a kept or failed case holds no maps: its memory is free before its row is written
        boolean holdsMaps = ended.result() != null;
        if (!holdsMaps) {
          held.release();
        }
        // counted here, not by the writer: a case's own progress (its metrics) nests in the
        // batch's, on this thread
        progress.advance(1);
        Runnable write = () -> {
          long w0 = System.nanoTime();
          try {
            ends[end(ended, sink).ordinal()]++;
          } finally {
            timings.since(Phase.WRITING, w0);
            if (holdsMaps) {
              held.release();
            }
          }
        };
        if (writer == null) {
          write.run();
        } else {
          writes.add(writer.submit(write));
          rethrowFailedWrite(writes);
        }
        i = next;
        if (next >= 0 && ahead == null) {
          // two cases held (one explained and waiting to be written): wait for a write
          long w0 = System.nanoTime();
          held.acquireUninterruptibly();
          timings.since(Phase.WAITING, w0);
          rethrowFailedWrite(writes);
          ahead = prepare(cases.get(next), sink);
        }
        turn = ahead;
      }
      long w0 = System.nanoTime();
      for (Future<?> w : writes) {
        join(w);
      }
      timings.since(Phase.LAST_WRITES, w0);
    } finally {
      if (writer != null) {
        // cases explained before a failure are still written whole
        writer.shutdown();
        try {
          writer.awaitTermination(Long.MAX_VALUE, java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    return new Tally(ends[End.EXPLAINED.ordinal()], ends[End.KEPT.ordinal()], ends[End.FAILED.ordinal()]);
  }

  /** The case's earlier result, else its input opened and (with read-ahead) its files being read. */
  private <C, K, P> Turn<C, K> prepare(C c, Sink<C, K, P> sink) {
    long t0 = System.nanoTime();
    try {
      return open(c, sink, t0);
    } finally {
      timings.since(Phase.OPENING, t0);
    }
  }

  /** {@link #prepare}'s work; a turn's times count from {@code t0}. */
  private <C, K, P> Turn<C, K> open(C c, Sink<C, K, P> sink, long t0) {
    try {
      K earlier = sink.earlier(c);
      if (earlier != null) {
        return new Turn<>(c, earlier, null, null, null, System.nanoTime() - t0);
      }
      Case opened = sink.open(c);
      // a case without its label fails at its turn: its files are not worth reading
      InputPrefetch read = readAhead && opened.labelProblem() == null ? InputPrefetch.start(opened.input()) : null;
      return new Turn<>(c, null, opened, read, null, System.nanoTime() - t0);
    } catch (Gradcam3dException e) {
      return new Turn<>(c, null, null, null, e.getMessage(), System.nanoTime() - t0);
    } catch (RuntimeException e) {
      if (!internalErrorsAsResults) {
        throw e;
      }
      return new Turn<>(c, null, null, null, e.toString(), System.nanoTime() - t0);
    }
  }

  /** The case's maps, on the batch's thread. */
  private <C, K, P> Ended<C, K, P> explain(Turn<C, K> t, Sink<C, K, P> sink) {
    long t0 = System.nanoTime() - t.preparedNanos();
    C c = t.c();
    if (t.earlier() != null) {
      return new Ended<>(c, t.earlier(), null, null, null, seconds(t0));
    }
    String problem = t.problem();
    if (problem == null) {
      try {
        Case opened = t.opened();
        Object[] prepared = new Object[1];
        // the phases: loading until the sink sees the loaded input, preparing while it does, explaining after
        long[] mark = {System.nanoTime()};
        CaseResult r = pipeline.run(opened.checkedInput(), opened.targets(), t.read(), loaded -> {
          mark[0] = timings.since(Phase.LOADING, mark[0]);
          prepared[0] = sink.prepare(c, loaded);
          mark[0] = timings.since(Phase.PREPARING, mark[0]);
        });
        timings.since(Phase.EXPLAINING, mark[0]);
        if (t.read() != null) {
          timings.add(Phase.READING, t.read().readNanos());
        }
        @SuppressWarnings("unchecked")
        P p = (P) prepared[0];
        return new Ended<>(c, null, r, p, null, seconds(t0));
      } catch (Gradcam3dException e) {
        problem = e.getMessage();
      } catch (RuntimeException e) {
        if (!internalErrorsAsResults) {
          throw e;
        }
        problem = e.toString();
      }
    }
    return new Ended<>(c, null, null, null, problem, seconds(t0));
  }

  /** The case to the sink, on the writing thread. */
  private <C, K, P> End end(Ended<C, K, P> e, Sink<C, K, P> sink) {
    if (e.earlier() != null) {
      sink.kept(e.c(), e.earlier(), e.seconds());
      return End.KEPT;
    }
    String problem = e.problem();
    if (problem == null) {
      long w0 = System.nanoTime();
      try {
        sink.explained(e.c(), e.result(), e.prepared(), e.seconds());
        return End.EXPLAINED;
      } catch (Gradcam3dException x) {
        problem = x.getMessage();
      } catch (RuntimeException x) {
        if (!internalErrorsAsResults) {
          throw x;
        }
        problem = x.toString();
      }
      sink.failed(e.c(), problem, e.seconds() + seconds(w0));
      return End.FAILED;
    }
    sink.failed(e.c(), problem, e.seconds());
    return End.FAILED;
  }

  /** A write that failed with an internal error stops the batch with it. */
  private static void rethrowFailedWrite(List<Future<?>> writes) {
    for (Future<?> w : writes) {
      if (w.isDone()) {
        join(w);
      }
    }
    writes.removeIf(Future::isDone);
  }

  private static void join(Future<?> w) {
    try {
      w.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing a case", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** The first position after {@code i} that {@code share} holds, or -1. */
  private static int nextHeld(Shard share, int i, int cases) {
    for (int j = i + 1; j < cases; j++) {
      if (share.holds(j)) {
        return j;
      }
    }
    return -1;
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
