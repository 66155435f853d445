package gradcam3d.tensor;

import java.util.Arrays;

/**
 * A segmentation: one class index per voxel, C order. Held as one byte per voxel for up to 256
 * classes (a quarter of the float volume it replaces: 64 MB instead of 256 MB for a
 * 512 x 512 x 256 scan), as ints beyond that.
 */
public final class Labels {
  private final byte[] bytes;
  private final int[] ints;
  private final long[] shape;

  private Labels(byte[] bytes, int[] ints, long[] shape) {
    this.bytes = bytes;
    this.ints = ints;
    this.shape = shape.clone();
  }

  /** All zeros (class 0), able to hold classes 0 .. {@code classes - 1}. */
  public static Labels zeros(int classes, long... shape) {
    int n = Math.toIntExact(Shapes.numel(shape));
    return classes <= 256 ? new Labels(new byte[n], null, shape) : new Labels(null, new int[n], shape);
  }

  /** The labels of a float tensor of class indices (non-negative integers, as an argmax gives). */
  public static Labels of(FloatTensor classIndices) {
    float[] d = classIndices.data();
    float max = 0;
    for (float v : d) {
      if (!(v >= 0) || v != Math.rint(v)) {
        throw new IllegalArgumentException("not a class index: " + v);
      }
      max = Math.max(max, v);
    }
    Labels l = zeros((int) max + 1, classIndices.shape());
    for (int i = 0; i < d.length; i++) {
      l.set(i, (int) d[i]);
    }
    return l;
  }

  public int get(int voxel) {
    return bytes != null ? bytes[voxel] & 0xff : ints[voxel];
  }

  public void set(int voxel, int cls) {
    if (bytes != null) {
      bytes[voxel] = (byte) cls;
    } else {
      ints[voxel] = cls;
    }
  }

  public int size() {
    return bytes != null ? bytes.length : ints.length;
  }

  public long[] shape() {
    return shape.clone();
  }

  /** The same labels with another shape of as many voxels. */
  public Labels reshape(long... newShape) {
    if (Shapes.numel(newShape) != size()) {
      throw new IllegalArgumentException(Arrays.toString(newShape) + " does not hold " + size() + " voxels");
    }
    return new Labels(bytes, ints, newShape);
  }

  /** Whether {@code other} is these very labels (the same voxels, not a copy), in the same shape. */
  public boolean isSameAs(Labels other) {
    return other != null && other.bytes == bytes && other.ints == ints && Arrays.equals(other.shape, shape);
  }

  /** Copies labels [from, from + n) as floats into {@code into} from {@code at}. */
  public void copyTo(int from, float[] into, int at, int n) {
    for (int i = 0; i < n; i++) {
      into[at + i] = get(from + i);
    }
  }

  /** The class indices as floats (a new array of the float volume's size). */
  public FloatTensor toFloatTensor() {
    float[] out = new float[size()];
    copyTo(0, out, 0, out.length);
    return new FloatTensor(out, shape);
  }
}
