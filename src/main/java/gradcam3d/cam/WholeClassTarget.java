package gradcam3d.cam;

import gradcam3d.tensor.Labels;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;
import java.util.Optional;

/** Class k summed over the whole output grid (MONAI's semantics). */
public record WholeClassTarget(int classIndex) implements Target {
  @Override
  public String spec() {
    return classIndex + ":all";
  }

  @Override
  public String describe() {
    return "class " + classIndex + " over the whole volume";
  }

  @Override
  public void check(long[] outputShape) {
    Target.checkClassRegion(this, outputShape);
  }

  @Override
  public void writeSeed(float[] weights, float[] gate, int b, long[] outputShape) {
    int voxels = Target.voxels(outputShape);
    int base = (b * (int) outputShape[1] + classIndex) * voxels;
    Arrays.fill(weights, base, base + voxels, 1f);
  }

  @Override
  public float[] region(Labels segmentation, long[] spatial) {
    float[] region = new float[(int) Shapes.numel(spatial)];
    Arrays.fill(region, 1f);
    return region;
  }

  @Override
  public Optional<Target> restrictTo(long[] start, long[] size) {
    return Optional.of(this);
  }
}
