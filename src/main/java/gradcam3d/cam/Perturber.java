package gradcam3d.cam;

/**
 * Extra forward passes for the perturbation methods, for one batch already explained once (the
 * unperturbed target and its effective seed are fixed from that pass).
 */
public interface Perturber {
  /** Samples in the batch. */
  int batch();

  /** Channels of a layer. */
  int channels(int layer);

  /** The unperturbed target T of a sample. */
  double target(int sample);

  /**
   * ScoreCAM scores of one sample: for every channel c of the layer, the target of the input
   * multiplied by channel c resized to the input grid and min-max normalised (eps 1e-8).
   */
  double[] maskedInputScores(int layer, int sample);

  /** AblationCAM scores of one sample: the target with channel c of the layer set to zero. */
  double[] ablatedScores(int layer, int sample);
}
