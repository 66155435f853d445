package gradcam3d.cam;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;
import java.util.Optional;

/**
 * A target restricted to a window and weighted there: the seed of {@code inner} (already in the
 * window's coordinates) times {@code weight} [*S of the window] voxel by voxel.
 */
public record WindowedTarget(Target inner, FloatTensor weight) implements Target {
  @Override
  public int classIndex() {
    return inner.classIndex();
  }

  @Override
  public String spec() {
    return inner.spec();
  }

  @Override
  public String describe() {
    return inner.describe() + " (weighted within a window)";
  }

  @Override
  public String maskFile() {
    return inner.maskFile();
  }

  @Override
  public void check(long[] outputShape) {
    inner.check(outputShape);
    long[] spatial = Arrays.copyOfRange(outputShape, 2, outputShape.length);
    if (!Arrays.equals(weight.shape(), spatial)) {
      throw new Gradcam3dException("the window weight has shape " + Shapes.format(weight.shape())
          + " but the window's output grid is " + Shapes.format(spatial));
    }
  }

  @Override
  public void writeSeed(float[] weights, float[] gate, int b, long[] outputShape) {
    inner.writeSeed(weights, gate, b, outputShape);
    int classes = (int) outputShape[1];
    int voxels = Target.voxels(outputShape);
    float[] w = weight.data();
    // a class's target seeds only its class (every other class's seed stays zero): one pass, not K
    int cls = inner.classIndex();
    for (int k = cls >= 0 ? cls : 0; k < (cls >= 0 ? cls + 1 : classes); k++) {
      int base = (b * classes + k) * voxels;
      for (int v = 0; v < voxels; v++) {
        weights[base + v] *= w[v];
      }
    }
  }

  @Override
  public String emptyRegion(String where, String predicted) {
    return inner.emptyRegion(where, predicted);
  }

  @Override
  public long regionVoxels(float[] regionCounts, int b, int classes) {
    return inner.regionVoxels(regionCounts, b, classes);
  }

  @Override
  public int explainedClass(float[] predicted, int b, int classes) {
    return inner.explainedClass(predicted, b, classes);
  }

  @Override
  public Optional<Target> restrictTo(long[] start, long[] size) {
    throw new IllegalStateException("a windowed target is restricted already");
  }
}
