package gradcam3d.pipeline;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.GridMapping;
import gradcam3d.volume.Normalization;
import gradcam3d.volume.Volume;
import java.util.List;

/**
 * The load stage's result: the model's input tensor [B, C, *S] (on the model's grid, normalised)
 * and, for a single sample read from files, the volume it is (model grid, normalised, with its
 * geometry), how the scan as stored maps onto that grid ({@code grid}: its own grid and
 * intensities, undone for every output) and what the normalisation did to each channel; the
 * three are null for a batch .npy.
 */
public record LoadedCase(FloatTensor batch, Volume volume, GridMapping grid, List<Normalization.Linear> intensity) {

  /** A case whose model input is the scan itself (no grid steps, values as given). */
  public LoadedCase(FloatTensor batch, Volume volume) {
    this(batch, volume, volume == null ? null : GridMapping.identity(volume), null);
  }

  /** The scan as stored (its own grid and intensities), or null for a batch .npy. */
  public Volume scan() {
    return grid == null ? null : grid.scan();
  }
}
