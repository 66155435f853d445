package gradcam3d.graph;

import gradcam3d.onnx.DataTypes;
import gradcam3d.tensor.Shapes;

/** What inference knows of a tensor: element type, shape (-1 = unknown dim) and maybe its value. */
public final class TensorInfo {
  private final int type;
  private final long[] shape;
  private final Const value;

  public TensorInfo(int type, long[] shape, Const value) {
    this.type = type;
    this.shape = shape == null ? null : shape.clone();
    this.value = value;
  }

  public static TensorInfo of(int type, long[] shape) {
    return new TensorInfo(type, shape, null);
  }

  public static TensorInfo of(Const c) {
    return new TensorInfo(c.type(), c.shape(), c);
  }

  public int type() {
    return type;
  }

  /** The shape, or null when even the rank is unknown. */
  public long[] shape() {
    return shape == null ? null : shape.clone();
  }

  public int rank() {
    return shape == null ? -1 : shape.length;
  }

  public boolean hasKnownShape() {
    return Shapes.isKnown(shape);
  }

  public Const value() {
    return value;
  }

  public boolean isFloating() {
    return DataTypes.isFloating(type);
  }

  @Override
  public String toString() {
    return DataTypes.name(type) + Shapes.format(shape) + (value != null ? " const" : "");
  }
}
