package gradcam3d.pipeline;

import java.nio.file.Path;
import java.util.List;

/**
 * What nnU-Net's predictor averages besides the model itself: more folds (models of the same
 * network, averaged) and test-time mirroring over spatial axes (0 = the first spatial axis of the
 * model input); built into one model by {@link gradcam3d.graph.ModelEnsemble}.
 *
 * @param moreFolds models averaged with {@link Settings#model()} (fold 0)
 * @param mirrorAxes spatial axes mirrored, empty for none
 */
public record Ensemble(List<Path> moreFolds, int[] mirrorAxes) {
  /** The model alone. */
  public static final Ensemble NONE = new Ensemble(List.of(), new int[0]);

  public Ensemble {
    moreFolds = List.copyOf(moreFolds);
    mirrorAxes = mirrorAxes.clone();
  }

  /** Whether nothing is averaged. */
  public boolean isNone() {
    return moreFolds.isEmpty() && mirrorAxes.length == 0;
  }

  @Override
  public int[] mirrorAxes() {
    return mirrorAxes.clone();
  }
}
