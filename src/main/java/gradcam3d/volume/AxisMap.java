package gradcam3d.volume;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * A reorientation of a voxel grid that only permutes and flips axes (no resampling): output axis d
 * is input axis {@code source[d]}, read backwards where {@code flip[d]}. Applied to (C, *S) arrays
 * in C order, it moves every voxel exactly, so it can be undone exactly ({@link #inverse}); the
 * matching affine keeps every voxel's world position ({@link #affineAfter}).
 */
public record AxisMap(int[] source, boolean[] flip) {
  public AxisMap {
    if (source.length != flip.length) {
      throw new IllegalArgumentException("one flip per axis");
    }
    boolean[] seen = new boolean[source.length];
    for (int s : source) {
      if (s < 0 || s >= source.length || seen[s]) {
        throw new IllegalArgumentException("not a permutation: " + Arrays.toString(source));
      }
      seen[s] = true;
    }
    source = source.clone();
    flip = flip.clone();
  }

  /** Changes nothing. */
  public static AxisMap identity(int rank) {
    return new AxisMap(IntStream.range(0, rank).toArray(), new boolean[rank]);
  }

  /** Every axis in reverse order (NIfTI order to a ZYX tensor's and back). */
  public static AxisMap reversal(int rank) {
    int[] s = new int[rank];
    for (int d = 0; d < rank; d++) {
      s[d] = rank - 1 - d;
    }
    return new AxisMap(s, new boolean[rank]);
  }

  public int rank() {
    return source.length;
  }

  public boolean isIdentity() {
    for (int d = 0; d < rank(); d++) {
      if (source[d] != d || flip[d]) {
        return false;
      }
    }
    return true;
  }

  /** The map that undoes this one. */
  public AxisMap inverse() {
    int[] s = new int[rank()];
    boolean[] f = new boolean[rank()];
    for (int d = 0; d < rank(); d++) {
      s[source[d]] = d;
      f[source[d]] = flip[d];
    }
    return new AxisMap(s, f);
  }

  /** First this map, then {@code next}. */
  public AxisMap then(AxisMap next) {
    int[] s = new int[rank()];
    boolean[] f = new boolean[rank()];
    for (int d = 0; d < rank(); d++) {
      s[d] = source[next.source[d]];
      f[d] = flip[next.source[d]] ^ next.flip[d];
    }
    return new AxisMap(s, f);
  }

  /**
   * This map (given in NIfTI axis order i, j, k) for tensors of a layout: ZYX tensors hold the
   * NIfTI axes reversed, XYZ tensors in NIfTI order.
   */
  public AxisMap inTensorOrder(Layout layout) {
    if (layout == Layout.XYZ) {
      return this;
    }
    int n = rank();
    int[] s = new int[n];
    boolean[] f = new boolean[n];
    for (int t = 0; t < n; t++) {
      s[t] = n - 1 - source[n - 1 - t];
      f[t] = flip[n - 1 - t];
    }
    return new AxisMap(s, f);
  }

  /** The output shape for an input of {@code shape} (spatial axes only). */
  public long[] shapeAfter(long[] shape) {
    long[] out = new long[rank()];
    for (int d = 0; d < rank(); d++) {
      out[d] = shape[source[d]];
    }
    return out;
  }

  /** Where input voxel {@code index} lands (spatial indices, input order). */
  public long[] indexAfter(long[] index, long[] shape) {
    long[] out = new long[rank()];
    for (int d = 0; d < rank(); d++) {
      long v = index[source[d]];
      out[d] = flip[d] ? shape[source[d]] - 1 - v : v;
    }
    return out;
  }

  /**
   * A (C, *S) tensor (or any tensor whose last {@link #rank} axes are spatial) with its spatial
   * axes mapped: a new array, the input untouched.
   */
  public FloatTensor apply(FloatTensor t) {
    long[] shape = t.shape();
    int lead = shape.length - rank();
    long[] spatial = Arrays.copyOfRange(shape, lead, shape.length);
    long[] outSpatial = shapeAfter(spatial);
    long[] outShape = Shapes.concat(Arrays.copyOf(shape, lead), outSpatial);
    if (isIdentity()) {
      return new FloatTensor(t.data().clone(), outShape);
    }
    int block = Math.toIntExact(Shapes.numel(spatial));
    int blocks = block == 0 ? 0 : t.size() / block;
    // input strides along each output axis (negative where flipped), and the start offset
    long[] inStride = new long[rank()];
    long acc = 1;
    for (int a = rank() - 1; a >= 0; a--) {
      inStride[a] = acc;
      acc *= spatial[a];
    }
    long[] step = new long[rank()];
    long start = 0;
    for (int d = 0; d < rank(); d++) {
      step[d] = flip[d] ? -inStride[source[d]] : inStride[source[d]];
      if (flip[d]) {
        start += (spatial[source[d]] - 1) * inStride[source[d]];
      }
    }
    float[] in = t.data();
    float[] out = new float[in.length];
    int n0 = rank() == 3 ? (int) outSpatial[0] : 1;
    int n1 = (int) outSpatial[rank() - 2];
    int n2 = (int) outSpatial[rank() - 1];
    long s0 = rank() == 3 ? step[0] : 0;
    long s1 = step[rank() - 2];
    long s2 = step[rank() - 1];
    // every index read is inside the array: int arithmetic in the rows (the client compiler
    // turns a long index into several instructions per voxel)
    int step2 = (int) s2;
    for (int b = 0; b < blocks; b++) {
      long base = (long) b * block + start;
      int o = b * block;
      for (int a = 0; a < n0; a++) {
        for (int c = 0; c < n1; c++) {
          int p = (int) (base + a * s0 + c * s1);
          for (int e = 0; e < n2; e++, o++, p += step2) {
            out[o] = in[p];
          }
        }
      }
    }
    return new FloatTensor(out, outShape);
  }

  /**
   * The voxel-to-world affine (4x4) of the mapped grid, given the input grid's affine and spatial
   * shape, both in NIfTI axis order: every voxel keeps its world position.
   */
  public double[][] affineAfter(double[][] affine, long[] shape) {
    double[][] out = new double[4][4];
    for (int r = 0; r < 3; r++) {
      out[r][3] = affine[r][3];
      for (int d = 0; d < rank(); d++) {
        int a = source[d];
        out[r][d] = flip[d] ? -affine[r][a] : affine[r][a];
        if (flip[d]) {
          out[r][3] += affine[r][a] * (shape[a] - 1);
        }
      }
      for (int d = rank(); d < 3; d++) {
        out[r][d] = affine[r][d];
      }
    }
    out[3][3] = 1;
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AxisMap m && Arrays.equals(source, m.source) && Arrays.equals(flip, m.flip);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(source) + Arrays.hashCode(flip);
  }

  @Override
  public String toString() {
    return Arrays.toString(source) + " flip " + Arrays.toString(flip);
  }
}
