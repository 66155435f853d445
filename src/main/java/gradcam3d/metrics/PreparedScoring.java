package gradcam3d.metrics;

import gradcam3d.Futures;
import gradcam3d.cam.Request;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import java.util.concurrent.CompletableFuture;

/**
 * The part of {@link Evaluation#measure}'s curves that needs no explanation, started on its own
 * thread while the explanation is computed: the scoring programs compiled with their sessions,
 * and the first sample's baseline volume (a Gaussian blur of the input). For one explained input;
 * close it (after measuring, or when the explanation failed) to wait for the thread and free the
 * sessions.
 */
public final class PreparedScoring implements AutoCloseable {
  private final CompletableFuture<TargetScorer.Programs> programs = new CompletableFuture<>();
  private final CompletableFuture<FloatTensor> baseline = new CompletableFuture<>();
  private final Baseline kind;
  private CompletableFuture<Void> done;

  private PreparedScoring(Baseline kind) {
    this.kind = kind;
  }

  /**
   * Starts preparing the scoring of perturbed copies of {@code x}'s first sample [B, C, *S] for
   * the request's model output and score, in batches as {@code settings} asks.
   */
  public static PreparedScoring start(ModelProto model, Request request, FloatTensor x,
      Evaluation.Settings settings, RuntimeOptions options) {
    long[] one = x.shape().clone();
    one[0] = 1;
    FloatTensor first = x.slice0(0).reshape(one);
    PreparedScoring p = new PreparedScoring(settings.baseline());
    p.done = Futures.onOwnThread("prepare-scoring", () -> {
      p.prepare(model, request, first, settings, options);
      return null;
    });
    return p;
  }

  private void prepare(ModelProto model, Request request, FloatTensor first, Evaluation.Settings settings,
      RuntimeOptions options) {
    try {
      TargetScorer.Programs p = TargetScorer.Programs.open(model, request.modelOutput(), settings.scoring(request),
          options);
      programs.complete(p);
      p.prepare(first.shape(), Math.max(1, settings.batchSize()));
      baseline.complete(kind.of(first));
    } catch (RuntimeException | Error e) {
      programs.completeExceptionally(e);
      baseline.completeExceptionally(e);
    }
  }

  /** The scoring programs, ready (waits for them; rethrows what failed while preparing). */
  public TargetScorer.Programs programs() {
    Futures.await(done);
    return Futures.join(programs);
  }

  /** The first sample's baseline volume, of the kind the settings asked for. */
  public FloatTensor baseline(Baseline asked) {
    Futures.await(done);
    if (asked != kind) {
      throw new IllegalArgumentException("prepared a " + kind.label() + " baseline, not " + asked.label());
    }
    return Futures.join(baseline);
  }

  /** Waits for the preparing thread, then closes the programs if they were opened. */
  @Override
  public void close() {
    Futures.await(done);
    if (programs.isDone() && !programs.isCompletedExceptionally()) {
      programs.join().close();
    }
  }
}
