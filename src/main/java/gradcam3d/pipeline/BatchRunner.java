package gradcam3d.pipeline;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Progress;
import java.util.List;

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
  public record Case(String folder, CaseInput input, String labelProblem, List<String> targets) {
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
   * Where a batch's cases come from and its results go, called on the thread that runs the batch,
   * one case after another except that the next case's {@link #earlier} and {@link #open} come
   * before this case's end (read-ahead). {@code K} is what the caller keeps of an earlier result,
   * {@code P} what it prepares on the loaded input (e.g. writers that start while the maps are
   * computed). Every case ends in exactly one of {@link #explained}, {@link #kept}, {@link #failed}.
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

  private final ExplanationPipeline pipeline;
  private final boolean readAhead;
  private final boolean internalErrorsAsResults;

  /** A runner over {@code pipeline} that reads one case ahead and stops at an internal error. */
  public BatchRunner(ExplanationPipeline pipeline) {
    this(pipeline, true, false);
  }

  private BatchRunner(ExplanationPipeline pipeline, boolean readAhead, boolean internalErrorsAsResults) {
    this.pipeline = pipeline;
    this.readAhead = readAhead;
    this.internalErrorsAsResults = internalErrorsAsResults;
  }

  /** The same runner reading each case's input only when its turn comes. */
  public BatchRunner withoutReadAhead() {
    return new BatchRunner(pipeline, false, internalErrorsAsResults);
  }

  /**
   * The same runner making an unexpected exception (a bug, not a problem of the input) a failed
   * case too, with the exception as its error: a cluster job goes on where a command would stop.
   */
  public BatchRunner withInternalErrorsAsResults() {
    return new BatchRunner(pipeline, readAhead, true);
  }

  /** A case's turn as prepared: kept, or opened (with its input read ahead), or failed to open. */
  private record Turn<C, K>(C c, K earlier, Case opened, InputPrefetch read, String problem, long preparedNanos) {}

  /** Runs the cases {@code share} holds (positions in {@code cases}), in order. */
  public <C, K, P> Tally run(List<C> cases, Shard share, Sink<C, K, P> sink, Progress progress) {
    int explained = 0;
    int kept = 0;
    int failed = 0;
    int i = nextHeld(share, -1, cases.size());
    Turn<C, K> turn = i < 0 ? null : prepare(cases.get(i), sink);
    while (turn != null) {
      int next = nextHeld(share, i, cases.size());
      // the next case's input is read while this one is explained (one case ahead at most)
      Turn<C, K> ahead = next >= 0 && readAhead ? prepare(cases.get(next), sink) : null;
      switch (finish(turn, sink)) {
        case EXPLAINED -> explained++;
        case KEPT -> kept++;
        case FAILED -> failed++;
      }
      progress.advance(1);
      i = next;
      turn = next < 0 ? null : ahead != null ? ahead : prepare(cases.get(next), sink);
    }
    return new Tally(explained, kept, failed);
  }

  private enum End { EXPLAINED, KEPT, FAILED }

  /** The case's earlier result, else its input opened and (with read-ahead) its files being read. */
  private <C, K, P> Turn<C, K> prepare(C c, Sink<C, K, P> sink) {
    long t0 = System.nanoTime();
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

  private <C, K, P> End finish(Turn<C, K> t, Sink<C, K, P> sink) {
    long t0 = System.nanoTime() - t.preparedNanos();
    C c = t.c();
    if (t.earlier() != null) {
      sink.kept(c, t.earlier(), seconds(t0));
      return End.KEPT;
    }
    String problem = t.problem();
    if (problem == null) {
      try {
        Case opened = t.opened();
        Object[] prepared = new Object[1];
        CaseResult r = pipeline.run(opened.checkedInput(), opened.targets(), t.read(),
            loaded -> prepared[0] = sink.prepare(c, loaded));
        @SuppressWarnings("unchecked")
        P p = (P) prepared[0];
        sink.explained(c, r, p, seconds(t0));
        return End.EXPLAINED;
      } catch (Gradcam3dException e) {
        problem = e.getMessage();
      } catch (RuntimeException e) {
        if (!internalErrorsAsResults) {
          throw e;
        }
        problem = e.toString();
      }
    }
    sink.failed(c, problem, seconds(t0));
    return End.FAILED;
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
