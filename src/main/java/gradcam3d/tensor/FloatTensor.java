package gradcam3d.tensor;

import java.util.Arrays;

/** A dense float32 tensor in C order: the value type every package exchanges. */
public final class FloatTensor {
  private final float[] data;
  private final long[] shape;

  public FloatTensor(float[] data, long... shape) {
    if (Shapes.numel(shape) != data.length) {
      throw new IllegalArgumentException(
          "data length " + data.length + " does not match shape " + Arrays.toString(shape));
    }
    this.data = data;
    this.shape = shape.clone();
  }

  public static FloatTensor zeros(long... shape) {
    return new FloatTensor(new float[Math.toIntExact(Shapes.numel(shape))], shape);
  }

  public float[] data() {
    return data;
  }

  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long dim(int axis) {
    return shape[axis < 0 ? shape.length + axis : axis];
  }

  public int size() {
    return data.length;
  }

  public FloatTensor reshape(long... newShape) {
    return new FloatTensor(data, newShape);
  }

  /** The i-th slice along axis 0 (a copy), e.g. one sample of a batch. */
  public FloatTensor slice0(int i) {
    long[] s = Arrays.copyOfRange(shape, 1, shape.length);
    int n = Math.toIntExact(Shapes.numel(s));
    return new FloatTensor(Arrays.copyOfRange(data, i * n, (i + 1) * n), s);
  }

  /**
   * The i-th slice along axis 0 for a reader that does not change it: the same data, not a copy,
   * when it is all of it (axis 0 of size 1, e.g. the one sample of a scan: a copy would be the
   * scan's size again); otherwise a copy as {@link #slice0}.
   */
  public FloatTensor view0(int i) {
    if (shape[0] == 1 && i == 0) {
      return new FloatTensor(data, Arrays.copyOfRange(shape, 1, shape.length));
    }
    return slice0(i);
  }

  /** Stacks equally shaped tensors along a new axis 0. */
  public static FloatTensor stack(java.util.List<FloatTensor> parts) {
    long[] s = parts.get(0).shape;
    int n = parts.get(0).data.length;
    float[] out = new float[n * parts.size()];
    for (int i = 0; i < parts.size(); i++) {
      if (!Arrays.equals(parts.get(i).shape, s)) {
        throw new IllegalArgumentException("cannot stack shapes " + Arrays.toString(s) + " and "
            + Arrays.toString(parts.get(i).shape));
      }
      System.arraycopy(parts.get(i).data, 0, out, i * n, n);
    }
    long[] shape = new long[s.length + 1];
    shape[0] = parts.size();
    System.arraycopy(s, 0, shape, 1, s.length);
    return new FloatTensor(out, shape);
  }

  /** The shapes of named tensors, in their order (e.g. a model's feeds). */
  public static java.util.Map<String, long[]> shapesOf(java.util.Map<String, FloatTensor> tensors) {
    java.util.Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
    tensors.forEach((k, v) -> shapes.put(k, v.shape()));
    return shapes;
  }

  /** Flat index of the first NaN or infinite value, or -1 when every value is finite. */
  public int firstNonFinite() {
    for (int i = 0; i < data.length; i++) {
      float v = data[i];
      // Float.isFinite by plain comparisons (NaN fails both): the start-up JIT does not inline it
      if (!(v >= -Float.MAX_VALUE && v <= Float.MAX_VALUE)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The one wording of "a value is NaN or infinite" ({@code what}: a file or an input; {@code where}:
   * the first such value's position as its reader knows it, e.g. "voxel 3,2,1" or "index [0, 0, 1]").
   */
  public static String nonFiniteMessage(String what, String where, float value) {
    return what + " contains NaN/infinite voxels (first at " + where + ": " + value + ").";
  }

  /** {@link #nonFiniteMessage} naming the first NaN or infinite value by its index; null when all are finite. */
  public String nonFiniteMessage(String what) {
    int i = firstNonFinite();
    return i < 0 ? null : nonFiniteMessage(what, "index " + Arrays.toString(Shapes.unravel(i, shape)), data[i]);
  }

  /** Whether every value is zero (stops at the first that is not; NaN is not zero). */
  public boolean isZero() {
    for (float v : data) {
      if (v != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "FloatTensor" + Arrays.toString(shape);
  }
}
