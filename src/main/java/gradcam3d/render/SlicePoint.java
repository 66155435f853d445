package gradcam3d.render;

/** A voxel (z, y, x): the axial, coronal and sagittal slices a figure shows. */
public record SlicePoint(int z, int y, int x) {
  @Override
  public String toString() {
    return "z=" + z + ", y=" + y + ", x=" + x;
  }
}
