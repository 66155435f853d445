package gradcam3d.output;

import gradcam3d.pipeline.CaseResult;
import gradcam3d.volume.Npy;
import java.nio.file.Path;

/**
 * prediction.npy: the blended whole-volume prediction [1, K, *S] of a sliding-window explanation
 * (logits, or probabilities with --score probabilities), when the window settings keep it.
 */
final class PredictionWriter implements OutputWriter {
  @Override
  public void write(CaseResult r, OutputSettings o, Path dir, Written w) {
    if (r.windows() == null || r.windows().prediction() == null) {
      return;
    }
    Npy.write(r.windows().prediction(), dir.resolve("prediction.npy"));
    w.add("prediction.npy");
  }
}
