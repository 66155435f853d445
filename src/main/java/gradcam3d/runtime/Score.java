package gradcam3d.runtime;

/**
 * What a target sums, a user setting: the model's raw outputs (logits) or their softmax
 * (sigmoid for one channel) probabilities. The seed head ({@link SeedHead}) applies it.
 */
public enum Score {
  LOGITS, PROBABILITIES
}
