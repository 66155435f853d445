package gradcam3d.volume;

/**
 * A NIfTI image in memory: its header and its voxels as real values (after scl_slope/scl_inter) in
 * file order, i fastest, then j, k, t.
 */
public final class NiftiImage {
  private final String source;
  private final NiftiHeader header;
  private final float[] data;

  /**
   * @param source the file it came from (or a description), used in messages
   * @param header its shape is dim[1..dim[0]]
   * @param data voxel values in file order, as many as the header's dims call for
   */
  public NiftiImage(String source, NiftiHeader header, float[] data) {
    if (header.voxelCount() != data.length) {
      throw new IllegalArgumentException("header shape " + header.describe() + " needs "
          + header.voxelCount() + " voxels, got " + data.length);
    }
    this.source = source;
    this.header = header;
    this.data = data;
  }

  public String source() {
    return source;
  }

  public NiftiHeader header() {
    return header;
  }

  public float[] data() {
    return data;
  }

  /** dim[1..dim[0]], i first. */
  public long[] shape() {
    return header.shape();
  }

  /** The value at voxel (i, j, k, ...) given in file axis order. */
  public float get(long... voxel) {
    long[] shape = shape();
    if (voxel.length != shape.length) {
      throw new IllegalArgumentException(shape.length + " indices needed, got " + voxel.length);
    }
    long index = 0;
    for (int axis = shape.length - 1; axis >= 0; axis--) {
      if (voxel[axis] < 0 || voxel[axis] >= shape[axis]) {
        throw new IndexOutOfBoundsException("voxel index " + voxel[axis] + " on axis " + axis);
      }
      index = index * shape[axis] + voxel[axis];
    }
    return data[(int) index];
  }
}
