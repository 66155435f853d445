package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;

/** A metric that does not apply to this sample (no mask, a normalised map, one class...): reported, not fatal. */
public final class NotApplicable extends Gradcam3dException {
  public NotApplicable(String reason) {
    super(reason);
  }
}
