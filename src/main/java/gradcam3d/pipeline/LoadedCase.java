package gradcam3d.pipeline;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Volume;

/**
 * The load stage's result: the model's input tensor [B, C, *S] (normalised) and, for a single
 * sample read from files, the volume it came from (geometry, spacing); null for a batch .npy.
 */
public record LoadedCase(FloatTensor batch, Volume volume) {}
