package gradcam3d.window;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.BoxTarget;
import gradcam3d.cam.MaskTarget;
import gradcam3d.cam.PredictedClassTarget;
import gradcam3d.cam.Target;
import gradcam3d.cam.TargetRegions;
import gradcam3d.cam.VoxelTarget;
import gradcam3d.cam.WholeClassTarget;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;

/**
 * The whole-volume target on the window grid: its region over the volume, a window's crop of it,
 * a window's share w_t / N of the blended prediction, and the error for an empty region.
 */
final class WindowTargets {
  private WindowTargets() {}

  /** Whether the target's region depends on the prediction (else {@link #region} needs no segmentation). */
  static boolean predicted(Target target) {
    return target instanceof PredictedClassTarget;
  }

  /** The target's region over the whole volume, 1 inside ({@code segmentation}: only for {@link #predicted}). */
  static float[] region(Target target, float[] segmentation, long[] spatial) {
    int voxels = (int) Shapes.numel(spatial);
    float[] region = new float[voxels];
    if (target instanceof PredictedClassTarget) {
      for (int v = 0; v < voxels; v++) {
        region[v] = segmentation[v] == target.classIndex() ? 1f : 0f;
      }
    } else if (target instanceof WholeClassTarget) {
      Arrays.fill(region, 1f);
    } else if (target instanceof MaskTarget m) {
      float[] d = m.mask().data();
      for (int v = 0; v < voxels; v++) {
        region[v] = d[v] > 0 ? 1f : 0f;
      }
    } else if (target instanceof BoxTarget b) {
      BoxTarget.fill(region, 0, 0, b.start(), b.end(), Shapes.concat(new long[] {1, 1}, spatial));
    } else if (target instanceof VoxelTarget p) {
      long[] end = p.voxel().clone();
      for (int a = 0; a < end.length; a++) {
        end[a]++;
      }
      BoxTarget.fill(region, 0, 0, p.voxel(), end, Shapes.concat(new long[] {1, 1}, spatial));
    } else {
      throw new Gradcam3dException("target '" + target.spec() + "' is for classifiers; sliding windows explain "
          + "segmentations: choose a class, e.g. --target 1");
    }
    return region;
  }

  /** The target's own message ({@link Target#emptyRegion}) for its empty region in the blended prediction. */
  static Gradcam3dException emptyRegion(Target t, float[] predicted) {
    return new Gradcam3dException(t.emptyRegion("", TargetRegions.predictedClasses(predicted, 0, predicted.length)));
  }

  static WindowBox box(WindowGrid grid, int t) {
    return WindowInference.box(grid, t);
  }

  static boolean touches(WindowBox box, float[] region) {
    boolean[] hit = {false};
    box.forEachRun((wo, vo, len, row) -> {
      for (int j = 0; j < len && !hit[0]; j++) {
        hit[0] = region[vo + j] > 0;
      }
    });
    return hit[0];
  }

  /** The whole-volume region's crop to window t (zero in the padding). */
  static FloatTensor crop(WindowGrid grid, int t, float[] region) {
    float[] out = new float[(int) Shapes.numel(grid.window())];
    box(grid, t).forEachRun((wo, vo, len, row) -> System.arraycopy(region, vo, out, wo, len));
    return new FloatTensor(out, grid.window());
  }

  /** w_t / N over window t, the window's share of the blended prediction (zero in the padding). */
  static FloatTensor share(WindowGrid grid, BlendWeights weights, int t) {
    long[] window = grid.window();
    int r = window.length;
    long[] start = grid.start(t);
    float[] out = new float[(int) Shapes.numel(window)];
    box(grid, t).forEachRun((wo, vo, len, row) -> {
      double lead = 1;
      for (int a = 0; a < r - 1; a++) {
        lead *= weights.share(a, start[a], row[a]);
      }
      for (int j = 0; j < len; j++) {
        out[wo + j] = (float) (lead * weights.share(r - 1, start[r - 1], j));
      }
    });
    return new FloatTensor(out, window);
  }
}
