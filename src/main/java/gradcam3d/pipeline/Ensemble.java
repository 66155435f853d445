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
 * @param everyAxis mirror every spatial axis of the model input, whatever its rank
 */
public record Ensemble(List<Path> moreFolds, int[] mirrorAxes, boolean everyAxis) {
  /** The model alone. */
  public static final Ensemble NONE = new Ensemble(List.of(), new int[0]);

  public Ensemble {
    moreFolds = List.copyOf(moreFolds);
    mirrorAxes = everyAxis ? new int[0] : mirrorAxes.clone();
  }

  public Ensemble(List<Path> moreFolds, int[] mirrorAxes) {
    this(moreFolds, mirrorAxes, false);
  }

  /** Mirroring over every spatial axis of the model input (nnU-Net's default trainers). */
  public static Ensemble everyAxis(List<Path> moreFolds) {
    return new Ensemble(moreFolds, new int[0], true);
  }

  /** Whether nothing is averaged. */
  public boolean isNone() {
    return moreFolds.isEmpty() && mirrorAxes.length == 0 && !everyAxis;
  }

  /** The mirrored axes for a model input of {@code spatialRank} spatial axes. */
  public int[] mirrorAxes(int spatialRank) {
    if (!everyAxis) {
      return mirrorAxes.clone();
    }
    int[] all = new int[spatialRank];
    for (int a = 0; a < spatialRank; a++) {
      all[a] = a;
    }
    return all;
  }

  @Override
  public int[] mirrorAxes() {
    return mirrorAxes.clone();
  }
}
