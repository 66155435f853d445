package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;
import java.util.Locale;

/**
 * What the perturbation metrics score, with the target region fixed from the unperturbed prediction:
 * <ul>
 *   <li>{@code probability} (default): the explained class's probability (softmax over the
 *       classes, sigmoid for a one-channel output) averaged over the region (classifiers: the class
 *       probability); the deletion and insertion curves are then normalised so the unperturbed
 *       volume scores 1 and the fully perturbed (baseline) volume 0, and clipped to [0, 1];</li>
 *   <li>{@code logits}: the explanation's own target T (the sum over the region of the
 *       {@code --score} outputs, logits by default), the curves as T(perturbed) / T(x), unclipped
 *       (what versions before issue 24 reported).</li>
 * </ul>
 */
public enum CurveScore {
  PROBABILITY, LOGITS;

  public static CurveScore byName(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.equals("probability") || n.equals("probabilities")) {
      return PROBABILITY;
    }
    if (n.equals("logits") || n.equals("logit")) {
      return LOGITS;
    }
    throw new Gradcam3dException("unknown curve score '" + name + "'; use probability or logits");
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
