package gradcam3d.cam;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;
import java.util.Optional;

/** Classifiers: each sample's top-scoring class. */
public record ArgmaxTarget() implements Target {
  @Override
  public int classIndex() {
    return -1;
  }

  @Override
  public String spec() {
    return "argmax";
  }

  @Override
  public String describe() {
    return "each sample's top-scoring class";
  }

  @Override
  public void check(long[] outputShape) {
    if (outputShape.length > 2) {
      throw new Gradcam3dException(Setting.TARGET, "target 'argmax' is for classifiers; this model segments (output "
          + Shapes.format(outputShape) + "): choose a class, e.g. " + Setting.TARGET.label() + " 1");
    }
  }

  @Override
  public void writeSeed(float[] weights, float[] gate, int b, long[] outputShape) {
    int classes = (int) outputShape[1];
    int voxels = Target.voxels(outputShape);
    Arrays.fill(weights, b * classes * voxels, (b + 1) * classes * voxels, 1f);
    Arrays.fill(gate, b * classes, (b + 1) * classes, 1f);
  }

  @Override
  public long regionVoxels(float[] regionCounts, int b, int classes) {
    double sum = 0;
    for (int k = 0; k < classes; k++) {
      sum += regionCounts[b * classes + k];
    }
    return Math.round(sum);
  }

  @Override
  public int explainedClass(float[] predicted, int b, int classes) {
    for (int k = 0; k < classes; k++) {
      if (predicted[b * classes + k] > 0) {
        return k;
      }
    }
    return -1;
  }

  @Override
  public Optional<Target> restrictTo(long[] start, long[] size) {
    return Optional.of(this);
  }
}
