package gradcam3d.testing;

import gradcam3d.metrics.Evaluation;
import gradcam3d.window.Blend;
import gradcam3d.window.SlidingWindowExplainer;

/** Settings changed in ways only the tests need (the command line builds these settings whole). */
public final class SettingsEdits {
  private SettingsEdits() {}

  public static SlidingWindowExplainer.Settings withBlend(SlidingWindowExplainer.Settings s, Blend blend) {
    return new SlidingWindowExplainer.Settings(s.window(), s.overlap(), blend, s.windowBatch(), s.padValue(),
        s.keepPrediction());
  }

  public static SlidingWindowExplainer.Settings withPadValue(SlidingWindowExplainer.Settings s, float padValue) {
    return new SlidingWindowExplainer.Settings(s.window(), s.overlap(), s.blend(), s.windowBatch(), padValue,
        s.keepPrediction());
  }

  /** With the blended prediction kept (prediction.npy, the fixtures' reference). */
  public static SlidingWindowExplainer.Settings withPrediction(SlidingWindowExplainer.Settings s, boolean keep) {
    return new SlidingWindowExplainer.Settings(s.window(), s.overlap(), s.blend(), s.windowBatch(), s.padValue(),
        keep);
  }

  /** With the deletion/insertion curves measured or not. */
  public static Evaluation.Settings withCurves(Evaluation.Settings s, boolean on) {
    return new Evaluation.Settings(on, s.baseline(), s.steps(), s.randomSeeds(), s.batchSize(), s.sanity(),
        s.sanitySteps(), s.seed(), s.curveScore(), s.stepScale(), s.metrics(), s.params());
  }
}
