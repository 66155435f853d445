package gradcam3d.volume;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Values of one voxel grid on another, both given by voxel-to-world affines: each output voxel
 * centre is taken to world and back into the input's voxel indices, and sampled there, as
 * MONAI's SpatialResample does (torch's grid_sample with align_corners=False, i.e. voxel
 * centres): N-linear or nearest, with the input's border value (border) or 0 (zeros) beyond its
 * edges. Tensors are in a layout's order with the spatial axes last, any leading axes (channels,
 * classes, batch) resampled one by one; affines and shapes in NIfTI order.
 */
public final class Resampler {
  /** How values between voxel centres are found. */
  public enum Mode { LINEAR, NEAREST }

  /** What lies beyond the input's edges. */
  public enum Padding { BORDER, ZEROS }

  private Resampler() {}

  /**
   * {@code t} (spatial axes last, layout order) on the output grid.
   *
   * @param inAffine the input grid's voxel-to-world affine (NIfTI order, 4x4)
   * @param outAffine the output grid's affine
   * @param outNifti the output grid's spatial shape in NIfTI order
   */
  public static FloatTensor resample(FloatTensor t, Layout layout, double[][] inAffine, double[][] outAffine,
      long[] outNifti, Mode mode, Padding padding) {
    int rank = outNifti.length;
    long[] shape = t.shape();
    int lead = shape.length - rank;
    long[] inTensor = Arrays.copyOfRange(shape, lead, shape.length);
    long[] outTensor = layout.tensorAxes(outNifti);
    // output voxel index -> input voxel index, in NIfTI order, then in tensor order
    double[][] m = multiply(invert(inAffine), outAffine);
    double[][] tm = new double[rank][rank + 1];
    for (int r = 0; r < rank; r++) {
      int nr = layout == Layout.XYZ ? r : rank - 1 - r;
      for (int c = 0; c < rank; c++) {
        int nc = layout == Layout.XYZ ? c : rank - 1 - c;
        tm[r][c] = m[nr][nc];
      }
      tm[r][rank] = m[nr][3];
    }
    int blocks = (int) Shapes.numel(Arrays.copyOf(shape, lead));
    if (axisAligned(tm, rank)) {
      return separable(t, blocks, inTensor, outTensor, tm, rank, mode, padding,
          Shapes.concat(Arrays.copyOf(shape, lead), outTensor));
    }
    int inBlock = (int) Shapes.numel(inTensor);
    int outBlock = (int) Shapes.numel(outTensor);
    float[] in = t.data();
    float[] out = new float[Math.multiplyExact(blocks, outBlock)];
    int[] n = new int[3];
    int[] o = new int[3];
    for (int a = 0; a < 3; a++) {
      n[a] = a < 3 - rank ? 1 : (int) inTensor[a - (3 - rank)];
      o[a] = a < 3 - rank ? 1 : (int) outTensor[a - (3 - rank)];
    }
    double[][] t3 = new double[3][4]; // the transform padded to 3 axes (a 2D grid's first axis is 1)
    for (int r = 0; r < 3; r++) {
      if (r < 3 - rank) {
        t3[r][r] = 1;
        continue;
      }
      for (int c = 0; c < rank; c++) {
        t3[r][c + 3 - rank] = tm[r - (3 - rank)][c];
      }
      t3[r][3] = tm[r - (3 - rank)][rank];
    }
    IntStream.range(0, blocks * o[0]).parallel().forEach(job -> {
      int b = job / o[0];
      int z = job % o[0];
      int inBase = b * inBlock;
      int outBase = b * outBlock + z * o[1] * o[2];
      for (int y = 0; y < o[1]; y++) {
        for (int x = 0; x < o[2]; x++) {
          double p0 = t3[0][0] * z + t3[0][1] * y + t3[0][2] * x + t3[0][3];
          double p1 = t3[1][0] * z + t3[1][1] * y + t3[1][2] * x + t3[1][3];
          double p2 = t3[2][0] * z + t3[2][1] * y + t3[2][2] * x + t3[2][3];
          out[outBase + y * o[2] + x] = mode == Mode.NEAREST ? nearest(in, inBase, n, p0, p1, p2, padding)
              : linear(in, inBase, n, p0, p1, p2, padding);
        }
      }
    });
    return new FloatTensor(out, Shapes.concat(Arrays.copyOf(shape, lead), outTensor));
  }

  /** Whether each output axis reads one input axis (a zoom and shift, no rotation): then the interpolation separates. */
  private static boolean axisAligned(double[][] tm, int rank) {
    for (int r = 0; r < rank; r++) {
      for (int c = 0; c < rank; c++) {
        if (r != c && Math.abs(tm[r][c]) > 1e-12 * Math.max(1, Math.abs(tm[r][r]))) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The same values for an axis-aligned transform, one axis at a time (N-linear and nearest
   * sampling are products of per-axis weights, zeros padding included): about 2 reads per output
   * voxel per axis instead of 8 per voxel, on contiguous rows.
   */
  private static FloatTensor separable(FloatTensor t, int blocks, long[] inShape, long[] outShape, double[][] tm,
      int rank, Mode mode, Padding padding, long[] resultShape) {
    float[] cur = t.data();
    long[] curShape = Shapes.concat(new long[] {blocks}, inShape);
    // the last axis first: each pass reads contiguous rows and writes contiguous rows
    for (int axis = rank - 1; axis >= 0; axis--) {
      Taps taps = Taps.of((int) inShape[axis], (int) outShape[axis], tm[axis][axis], tm[axis][rank], mode, padding);
      long[] nextShape = curShape.clone();
      nextShape[axis + 1] = outShape[axis];
      cur = resampleAxis(cur, curShape, axis + 1, taps);
      curShape = nextShape;
    }
    return new FloatTensor(cur, resultShape);
  }

  /** Per output index along one axis: two input indices and their weights (weight 0: unused). */
  private record Taps(int[] i0, int[] i1, float[] w0, float[] w1) {
    static Taps of(int n, int m, double scale, double shift, Mode mode, Padding padding) {
      int[] i0 = new int[m];
      int[] i1 = new int[m];
      float[] w0 = new float[m];
      float[] w1 = new float[m];
      for (int o = 0; o < m; o++) {
        double p = scale * o + shift;
        if (mode == Mode.NEAREST) {
          long k = Math.round(p);
          if (padding == Padding.ZEROS && (k < 0 || k >= n)) {
            continue;
          }
          i0[o] = (int) Math.max(0, Math.min(n - 1, k));
          w0[o] = 1;
          continue;
        }
        if (padding == Padding.BORDER) {
          p = Math.max(0, Math.min(n - 1, p));
        }
        int a = (int) Math.floor(p);
        double f = p - a;
        if (a >= 0 && a < n) {
          i0[o] = a;
          w0[o] = (float) (1 - f);
        }
        if (a + 1 >= 0 && a + 1 < n && f != 0) {
          i1[o] = a + 1;
          w1[o] = (float) f;
        }
      }
      return new Taps(i0, i1, w0, w1);
    }
  }

  /** Interpolates along one axis of a C-order array: every other axis as it is. */
  private static float[] resampleAxis(float[] in, long[] shape, int axis, Taps taps) {
    int outer = 1;
    for (int a = 0; a < axis; a++) {
      outer *= (int) shape[a];
    }
    int inner = 1;
    for (int a = axis + 1; a < shape.length; a++) {
      inner *= (int) shape[a];
    }
    int n = (int) shape[axis];
    int m = taps.i0().length;
    float[] out = new float[Math.multiplyExact(Math.multiplyExact(outer, m), inner)];
    int innerLen = inner;
    IntStream.range(0, outer).parallel().forEach(b -> {
      int inBase = b * n * innerLen;
      int outBase = b * m * innerLen;
      for (int o = 0; o < m; o++) {
        float w0 = taps.w0()[o];
        float w1 = taps.w1()[o];
        int r0 = inBase + taps.i0()[o] * innerLen;
        int r1 = inBase + taps.i1()[o] * innerLen;
        int dst = outBase + o * innerLen;
        for (int k = 0; k < innerLen; k++) {
          out[dst + k] = w0 * in[r0 + k] + w1 * in[r1 + k];
        }
      }
    });
    return out;
  }

  private static float nearest(float[] in, int base, int[] n, double p0, double p1, double p2, Padding padding) {
    long i0 = Math.round(p0);
    long i1 = Math.round(p1);
    long i2 = Math.round(p2);
    if (padding == Padding.ZEROS && (i0 < 0 || i1 < 0 || i2 < 0 || i0 >= n[0] || i1 >= n[1] || i2 >= n[2])) {
      return 0;
    }
    i0 = Math.max(0, Math.min(n[0] - 1, i0));
    i1 = Math.max(0, Math.min(n[1] - 1, i1));
    i2 = Math.max(0, Math.min(n[2] - 1, i2));
    return in[base + (int) ((i0 * n[1] + i1) * n[2] + i2)];
  }

  private static float linear(float[] in, int base, int[] n, double p0, double p1, double p2, Padding padding) {
    if (padding == Padding.BORDER) {
      // grid_sample's border: the sampling point is moved onto the outermost voxel centres
      p0 = Math.max(0, Math.min(n[0] - 1, p0));
      p1 = Math.max(0, Math.min(n[1] - 1, p1));
      p2 = Math.max(0, Math.min(n[2] - 1, p2));
    }
    int a0 = (int) Math.floor(p0);
    int a1 = (int) Math.floor(p1);
    int a2 = (int) Math.floor(p2);
    double f0 = p0 - a0;
    double f1 = p1 - a1;
    double f2 = p2 - a2;
    double sum = 0;
    for (int d0 = 0; d0 < 2; d0++) {
      int i0 = a0 + d0;
      double w0 = d0 == 0 ? 1 - f0 : f0;
      if (w0 == 0 || i0 < 0 || i0 >= n[0]) {
        continue; // beyond the edge: zero (with border the point was moved inside)
      }
      for (int d1 = 0; d1 < 2; d1++) {
        int i1 = a1 + d1;
        double w1 = d1 == 0 ? 1 - f1 : f1;
        if (w1 == 0 || i1 < 0 || i1 >= n[1]) {
          continue;
        }
        for (int d2 = 0; d2 < 2; d2++) {
          int i2 = a2 + d2;
          double w2 = d2 == 0 ? 1 - f2 : f2;
          if (w2 == 0 || i2 < 0 || i2 >= n[2]) {
            continue;
          }
          sum += w0 * w1 * w2 * in[base + (i0 * n[1] + i1) * n[2] + i2];
        }
      }
    }
    return (float) sum;
  }

  static double[][] multiply(double[][] a, double[][] b) {
    double[][] r = new double[4][4];
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        double s = 0;
        for (int k = 0; k < 4; k++) {
          s += a[i][k] * b[k][j];
        }
        r[i][j] = s;
      }
    }
    return r;
  }

  /** The inverse of a 4x4 affine (last row 0, 0, 0, 1). */
  static double[][] invert(double[][] a) {
    double[][] m = new double[3][3];
    for (int r = 0; r < 3; r++) {
      m[r] = Arrays.copyOf(a[r], 3);
    }
    double det = Orientation.det(m);
    if (det == 0 || !Double.isFinite(det)) {
      throw new IllegalArgumentException("the affine cannot be inverted");
    }
    double[][] r = new double[4][4];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        int i1 = (j + 1) % 3;
        int i2 = (j + 2) % 3;
        int j1 = (i + 1) % 3;
        int j2 = (i + 2) % 3;
        r[i][j] = (m[i1][j1] * m[i2][j2] - m[i1][j2] * m[i2][j1]) / det;
      }
    }
    for (int i = 0; i < 3; i++) {
      r[i][3] = -(r[i][0] * a[0][3] + r[i][1] * a[1][3] + r[i][2] * a[2][3]);
    }
    r[3][3] = 1;
    return r;
  }
}
