package gradcam3d.cam;

import gradcam3d.tensor.Labels;
import gradcam3d.tensor.Shapes;
import java.util.Optional;

/** Class k at one voxel of the output grid. */
public record VoxelTarget(int classIndex, long[] voxel) implements Target {
  @Override
  public String spec() {
    return classIndex + ":voxel=" + BoxTarget.join(voxel);
  }

  @Override
  public String describe() {
    return "class " + classIndex + " at voxel " + java.util.Arrays.toString(voxel);
  }

  private long[] end() {
    long[] e = voxel.clone();
    for (int a = 0; a < e.length; a++) {
      e[a]++;
    }
    return e;
  }

  @Override
  public boolean placedOnGrid() {
    return true;
  }

  @Override
  public Target onModelGrid(IndexMap map, long[] scanShape) {
    return voxel.length == scanShape.length ? new VoxelTarget(classIndex, map.toModel(voxel)) : this;
  }

  @Override
  public void check(long[] outputShape) {
    Target.checkClassRegion(this, outputShape);
    BoxTarget.checkInside(this, voxel, end(), outputShape, 1);
  }

  @Override
  public void writeSeed(float[] weights, float[] gate, int b, long[] outputShape) {
    BoxTarget.fill(weights, b, classIndex, voxel, end(), outputShape);
  }

  @Override
  public float[] region(Labels segmentation, long[] spatial) {
    float[] region = new float[(int) Shapes.numel(spatial)];
    BoxTarget.fill(region, 0, 0, voxel, end(), Shapes.concat(new long[] {1, 1}, spatial));
    return region;
  }

  @Override
  public Optional<Target> restrictTo(long[] start, long[] size) {
    long[] local = new long[voxel.length];
    for (int a = 0; a < voxel.length; a++) {
      local[a] = voxel[a] - start[a];
      if (local[a] < 0 || local[a] >= size[a]) {
        return Optional.empty();
      }
    }
    return Optional.of(new VoxelTarget(classIndex, local));
  }
}
