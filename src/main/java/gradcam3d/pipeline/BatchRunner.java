package gradcam3d.pipeline;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Progress;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A batch as a library, the one loop the command line's {@code batch} and the Spark job share:
 * every case of a share explained with one pipeline (the model read once, programs compiled once
 * per input shape), the next case's input read while this one is explained, a case whose earlier
 * result is kept skipped, and a failing case a result of its own, not the end of the batch. What
 * is written, and what an earlier result is, belong to the caller's {@link Sink}.
 */
public final class BatchRunner {
  /**
   * One case: its folder name, its files (channels), its label (or why it has none where one was
   * asked for, an error of this case), and its own targets (empty: the settings').
   */
  public record Case(String folder, List<Path> files, Path label, String labelProblem, List<String> targets,
      String series) {
    public Case {
      files = List.copyOf(files);
      targets = List.copyOf(targets);
    }

    /** A listed case of a folder or of given files. */
    public static Case of(String folder, CaseListing.Listed listed, String series) {
      return new Case(folder, listed.files(), listed.label(), listed.labelProblem(), List.of(), series);
    }

    /** The pipeline's input: the files and the label; a missing label fails the case here. */
    public CaseInput input() {
      if (labelProblem != null) {
        throw new Gradcam3dException(labelProblem);
      }
      return CaseInput.of(files, label).withSeries(series);
    }
  }

  /**
   * Where a batch's results go. {@code K} is what the caller keeps of an earlier result. Writing
   * may start on the loaded input ({@link #prepare}) while the maps are computed.
   */
  public interface Sink<K, P> {
    /** An earlier complete result of this case to keep instead of explaining it again, or null. */
    K earlier(Case c);

    /** Called with the loaded input before the maps are computed; returns what {@link #explained} gets. */
    P prepare(Case c, LoadedCase loaded);

    void explained(Case c, CaseResult r, P prepared, double seconds);

    void kept(Case c, K earlier, double seconds);

    /** A one-line error of this case (the batch goes on). */
    void failed(Case c, String error, double seconds);
  }

  private BatchRunner() {}

  /**
   * Runs the cases this share holds through one pipeline; {@code finish} completes each result
   * (e.g. per-structure tables) before it goes to the sink. Returns how many failed.
   */
  public static <K, P> int run(ExplanationPipeline pipeline, List<Case> cases, Shard share,
      BiFunction<Case, CaseResult, CaseResult> finish, Sink<K, P> sink, Progress progress) {
    int failed = 0;
    Case aheadCase = null;
    InputPrefetch ahead = null;
    for (int i = 0; i < cases.size(); i++) {
      if (!share.holds(i)) {
        continue;
      }
      Case c = cases.get(i);
      // the next case's input is read while this one is explained (one case ahead at most)
      InputPrefetch read = c.equals(aheadCase) ? ahead : null;
      int next = nextHeld(share, i, cases.size());
      aheadCase = next < 0 ? null : cases.get(next);
      ahead = aheadCase == null ? null : prefetch(aheadCase);
      if (!runOne(pipeline, c, read, finish, sink)) {
        failed++;
      }
      progress.advance(1);
    }
    return failed;
  }

  /**
   * One case: kept, explained or failed, as the sink hears it; true unless it failed. {@code read}
   * is its input read beforehand, or null.
   */
  public static <K, P> boolean runOne(ExplanationPipeline pipeline, Case c, InputPrefetch read,
      BiFunction<Case, CaseResult, CaseResult> finish, Sink<K, P> sink) {
    long t0 = System.nanoTime();
    K earlier = sink.earlier(c);
    if (earlier != null) {
      sink.kept(c, earlier, seconds(t0));
      return true;
    }
    try {
      CaseInput input = c.input();
      InputPrefetch files = read != null ? read : InputPrefetch.start(input);
      Object[] prepared = new Object[1];
      CaseResult r = pipeline.run(input, c.targets(), files, loaded -> prepared[0] = sink.prepare(c, loaded));
      @SuppressWarnings("unchecked")
      P p = (P) prepared[0];
      sink.explained(c, finish.apply(c, r), p, seconds(t0));
      return true;
    } catch (Gradcam3dException e) {
      sink.failed(c, e.getMessage(), seconds(t0));
      return false;
    }
  }

  private static InputPrefetch prefetch(Case c) {
    return InputPrefetch.start(CaseInput.of(c.files(), null).withSeries(c.series()));
  }

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
