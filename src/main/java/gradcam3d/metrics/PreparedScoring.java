package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Explainer;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
  private final Thread thread;
  private final Baseline kind;

  private PreparedScoring(ModelProto model, Explainer.Request request, FloatTensor first, Evaluation.Settings settings,
      RuntimeOptions options) {
    this.kind = settings.baseline();
    this.thread = new Thread(() -> prepare(model, request, first, settings, options), "gradcam3d-prepare-scoring");
    thread.setDaemon(true);
  }

  /**
   * Starts preparing the scoring of perturbed copies of {@code x}'s first sample [B, C, *S] for
   * the request's model output and score, in batches as {@code settings} asks.
   */
  public static PreparedScoring start(ModelProto model, Explainer.Request request, FloatTensor x,
      Evaluation.Settings settings, RuntimeOptions options) {
    long[] one = x.shape().clone();
    one[0] = 1;
    FloatTensor first = x.slice0(0).reshape(one);
    PreparedScoring p = new PreparedScoring(model, request, first, settings, options);
    p.thread.start();
    return p;
  }

  private void prepare(ModelProto model, Explainer.Request request, FloatTensor first, Evaluation.Settings settings,
      RuntimeOptions options) {
    try {
      TargetScorer.Programs p = TargetScorer.Programs.open(model, request.modelOutput(), request.score(), options);
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
    awaitThread();
    return joined(programs);
  }

  /** The first sample's baseline volume, of the kind the settings asked for. */
  public FloatTensor baseline(Baseline asked) {
    awaitThread();
    if (asked != kind) {
      throw new IllegalArgumentException("prepared a " + kind.label() + " baseline, not " + asked.label());
    }
    return joined(baseline);
  }

  private void awaitThread() {
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static <T> T joined(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new Gradcam3dException("preparing the faithfulness scoring failed: " + e.getCause());
    }
  }

  /** Waits for the preparing thread, then closes the programs if they were opened. */
  @Override
  public void close() {
    awaitThread();
    if (programs.isDone() && !programs.isCompletedExceptionally()) {
      programs.join().close();
    }
  }
}
