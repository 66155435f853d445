package gradcam3d.tensor;

/** A dense int64 tensor in C order (class indices, masks fed to graphs). */
public final class LongTensor {
  private final long[] data;
  private final long[] shape;

  public LongTensor(long[] data, long... shape) {
    if (Shapes.numel(shape) != data.length) {
      throw new IllegalArgumentException("data length " + data.length + " does not match shape "
          + Shapes.format(shape));
    }
    this.data = data;
    this.shape = shape.clone();
  }

  public long[] data() {
    return data;
  }

  public long[] shape() {
    return shape.clone();
  }
}
