package gradcam3d.cam;

/**
 * Scores the target on copies of one sample, each with one window of an {@link OcclusionGrid}
 * occluded, the target's region fixed from the unperturbed prediction. Two kinds: the whole input
 * in one model run per copy ({@link Explainer}), or a whole scan through the sliding-window
 * prediction, where a copy re-runs only the model windows its occluded box touches
 * ({@code gradcam3d.window}).
 */
public interface PatchScorer {
  /**
   * Replaces the voxels of one occluded window in place: {@code patch} [C, *size], flat. Called
   * from several lanes at once: it must only read shared state.
   */
  @FunctionalInterface
  interface Occluder {
    void occlude(float[] patch);
  }

  /**
   * The target of the unperturbed sample, and per window of the grid the drop T(x) - T(x with the
   * window occluded), computed as directly as the scorer can (fewer cancellations than T - T').
   */
  record Scores(double unperturbed, double[] drops) {}

  /** Forward passes that scoring every window of {@code grid} takes, the unperturbed one(s) included. */
  long passes(OcclusionGrid grid);

  /**
   * Fails with an option error (exit 2) when the batches that scoring {@code grid} runs would not
   * fit this machine's memory ({@link BatchMemory}); before any pass is announced or run.
   */
  void checkMemory(OcclusionGrid grid);

  /** Scores every window of {@code grid}; advances {@code progress} by the passes as they finish. */
  Scores score(OcclusionGrid grid, Occluder occluder, Progress progress);

  /** What a pass is for {@code grid}, for the summary and the progress line, e.g. "whole input, batches of 2 on 2 lanes". */
  String describe(OcclusionGrid grid);
}
