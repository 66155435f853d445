package gradcam3d.volume;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * nnU-Net v2's resampling of images and of predicted logits (nnunetv2 preprocessing/resampling/
 * default_resampling.py, {@code resample_data_or_seg_to_shape} with {@code is_seg=False}), for
 * (C, Z, Y, X) arrays in nnU-Net's axis order:
 * <ul>
 *   <li>each channel is resized as skimage's {@code resize(order, mode="edge", anti_aliasing=False)}
 *       does, i.e. scipy's {@code zoom(grid_mode=True, mode="nearest")}: output voxel o samples the
 *       input at (o + 0.5) * in / out - 0.5; order 3 is the cubic B-spline of the input padded by 12
 *       edge values (scipy's prefilter), order 1 linear, order 0 the nearest voxel (indices clamped
 *       at the edges); the result is clipped to the input's range (skimage's clip=True);</li>
 *   <li>when one axis is coarser than the others by more than {@link #ANISO_THRESHOLD} (or forced),
 *       the other two axes are resized slice by slice (each slice clipped to its own range) and the
 *       coarse axis afterwards with {@code order_z} ({@code map_coordinates(mode="nearest")},
 *       unclipped).</li>
 * </ul>
 * The splines are separable: every resize is one 1D pass per axis over lines of the array, in
 * double precision within a line and float32 between passes. Orders 0, 1 and 3 are implemented
 * (the ones nnU-Net's plans use).
 */
public final class NnunetResampling {
  /** nnunetv2.configuration.ANISO_THRESHOLD: an axis this many times coarser is resampled on its own. */
  public static final double ANISO_THRESHOLD = 3;
  /** scipy's pre-padding of an array before the spline prefilter with mode "nearest". */
  private static final int SPLINE_PAD = 12;
  /** The pole of the cubic B-spline prefilter. */
  private static final double POLE = Math.sqrt(3) - 2;

  private NnunetResampling() {}

  /**
   * One resampling's orders, as the plans' {@code resampling_fn_*_kwargs}: the spline order, the
   * order along a separately resampled axis, and whether to force (true) or forbid (false) that,
   * or (null) decide by anisotropy.
   */
  public record Orders(int order, int orderZ, Boolean forceSeparateZ) {
    public Orders {
      for (int o : new int[] {order, orderZ}) {
        if (o != 0 && o != 1 && o != 3) {
          throw new Gradcam3dException("resampling order " + o + " is not supported (nnU-Net's plans use 0, 1 and 3)");
        }
      }
    }

    /** nnU-Net's default for images: cubic, nearest along a coarse axis. */
    public static final Orders DATA = new Orders(3, 0, null);
    /** nnU-Net's default for predicted logits and probabilities: linear, nearest along a coarse axis. */
    public static final Orders PROBABILITIES = new Orders(1, 0, null);
  }

  /** compute_new_shape: round(spacing / target * shape) per axis (Python's round, halves to even). */
  public static long[] newShape(long[] shape, double[] spacing, double[] target) {
    long[] out = new long[shape.length];
    for (int a = 0; a < shape.length; a++) {
      out[a] = (long) Math.rint(spacing[a] / target[a] * shape[a]);
    }
    return out;
  }

  /**
   * determine_do_sep_z_and_axis: the axis resampled on its own, or -1. Decided by the current
   * spacing's anisotropy first, then the new spacing's; an axis is the coarse one when its spacing
   * is the largest and no other axis ties with it.
   */
  public static int separateAxis(Boolean force, double[] current, double[] next) {
    int[] axes;
    if (force != null) {
      if (!force) {
        return -1;
      }
      axes = lowResolutionAxes(current);
    } else if (anisotropic(current)) {
      axes = lowResolutionAxes(current);
    } else if (anisotropic(next)) {
      axes = lowResolutionAxes(next);
    } else {
      return -1;
    }
    return axes.length == 1 ? axes[0] : -1;
  }

  private static boolean anisotropic(double[] spacing) {
    double max = Arrays.stream(spacing).max().orElse(1);
    double min = Arrays.stream(spacing).min().orElse(1);
    return max / min > ANISO_THRESHOLD;
  }

  /** np.where(max(spacing) / spacing == 1). */
  private static int[] lowResolutionAxes(double[] spacing) {
    double max = Arrays.stream(spacing).max().orElse(1);
    return IntStream.range(0, spacing.length).filter(a -> max / spacing[a] == 1).toArray();
  }

  /**
   * {@code data} (C, *S) with three spatial axes resampled to {@code newShape}: nnU-Net's
   * resample_data_or_seg_to_shape(data, newShape, current, next, is_seg=False, orders). Returns the
   * input itself when the shape does not change (as nnU-Net does).
   */
  public static FloatTensor resample(FloatTensor data, long[] newShape, double[] current, double[] next,
      Orders orders) {
    return resample(data, newShape, current, next, orders, null);
  }

  /**
   * The same for {@code data} transformed voxel by voxel by {@code pre} first (nnU-Net's
   * normalisation, which precedes its resampling), without holding the transformed array: the
   * first pass reads through it. With {@code pre} a new array is returned even when the shape stays.
   */
  public static FloatTensor resample(FloatTensor data, long[] newShape, double[] current, double[] next,
      Orders orders, Normalization.Pointwise pre) {
    long[] shape = data.shape();
    if (shape.length != 4 || newShape.length != 3) {
      throw new IllegalArgumentException("nnU-Net resamples (C, Z, Y, X) arrays, not " + Shapes.format(shape));
    }
    int[] in = {(int) shape[1], (int) shape[2], (int) shape[3]};
    int[] out = {Math.toIntExact(newShape[0]), Math.toIntExact(newShape[1]), Math.toIntExact(newShape[2])};
    int channels = (int) shape[0];
    int inBlock = in[0] * in[1] * in[2];
    if (Arrays.equals(in, out)) {
      if (pre == null) {
        return data;
      }
      float[] d = data.data();
      float[] t = new float[d.length];
      for (int i = 0; i < d.length; i++) {
        t[i] = pre.apply(i / inBlock, i % inBlock, d[i]);
      }
      return new FloatTensor(t, shape);
    }
    int axis = separateAxis(orders.forceSeparateZ(), current, next);
    int outBlock = Math.multiplyExact(Math.multiplyExact(out[0], out[1]), out[2]);
    float[] result = new float[Math.multiplyExact(channels, outBlock)];
    for (int c = 0; c < channels; c++) {
      Source channel = new Source(data.data(), c * inBlock, c, pre);
      float[] moved = axis < 0 ? resizeVolume(channel, in, out, orders.order())
          : resizeSeparately(channel, in, out, axis, orders.order(), orders.orderZ());
      System.arraycopy(moved, 0, result, c * outBlock, outBlock);
    }
    return new FloatTensor(result, channels, out[0], out[1], out[2]);
  }

  /** One channel of the input as the first pass reads it: voxel v is pre(channel, v, data[base + v]). */
  private record Source(float[] data, int base, int channel, Normalization.Pointwise pre) {
    float get(int v) {
      float x = data[base + v];
      return pre == null ? x : pre.apply(channel, v, x);
    }

    /** Voxels v .. v + n - 1 into {@code out} from {@code at}, as doubles. */
    void row(int v, double[] out, int at, int n) {
      if (pre == null) {
        for (int j = 0; j < n; j++) {
          out[at + j] = data[base + v + j];
        }
      } else {
        pre.row(channel, v, data, base + v, out, at, n);
      }
    }

    /** Voxels v .. v + n - 1 into {@code out} (from 0), as floats. */
    void floats(int v, float[] out, int n) {
      if (pre == null) {
        System.arraycopy(data, base + v, out, 0, n);
      } else {
        for (int j = 0; j < n; j++) {
          out[j] = pre.apply(channel, v + j, data[base + v + j]);
        }
      }
    }
  }

  /** skimage's resize of one 3D channel: every axis, then clipped to the channel's range. */
  private static float[] resizeVolume(Source channel, int[] in, int[] out, int order) {
    int[] dims = in.clone();
    float[] range = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    for (int v = 0; v < in[0] * in[1] * in[2]; v++) {
      float x = channel.get(v);
      range[0] = Math.min(range[0], x);
      range[1] = Math.max(range[1], x);
    }
    float[] a = null;
    for (int axis : passOrder(in, out, -1)) {
      a = a == null ? pass(channel, dims, axis, out[axis], order) : pass(new Source(a, 0, 0, null), dims, axis,
          out[axis], order);
      dims[axis] = out[axis];
    }
    if (order > 0) {
      clip(a, 0, a.length, range[0], range[1]);
    }
    return a;
  }

  /**
   * The slice-wise path: the two axes other than {@code axis} resized (each slice clipped to its
   * own range, as skimage's resize of that slice does), then {@code axis} with order_z.
   */
  private static float[] resizeSeparately(Source channel, int[] in, int[] out, int axis, int order, int orderZ) {
    int slices = in[axis];
    float[][] ranges = new float[slices][];
    int[] inStride = strides(in);
    for (int s = 0; s < slices; s++) {
      ranges[s] = sliceRange(channel, in, inStride, axis, s);
    }
    int[] dims = in.clone();
    float[] a = null;
    for (int p : passOrder(in, out, axis)) {
      a = a == null ? pass(channel, dims, p, out[p], order) : pass(new Source(a, 0, 0, null), dims, p, out[p], order);
      dims[p] = out[p];
    }
    if (a == null) {
      // the slices keep their shape: the values as read
      a = new float[in[0] * in[1] * in[2]];
      for (int v = 0; v < a.length; v++) {
        a[v] = channel.get(v);
      }
    }
    if (order > 0) {
      int[] stride = strides(dims);
      for (int s = 0; s < slices; s++) {
        clipSlice(a, dims, stride, axis, s, ranges[s][0], ranges[s][1]);
      }
    }
    if (dims[axis] != out[axis]) {
      a = pass(new Source(a, 0, 0, null), dims, axis, out[axis], orderZ);
    }
    return a;
  }

  /** The axes to resize, shrinking ones first (smaller arrays sooner); {@code skip} is left out. */
  private static int[] passOrder(int[] in, int[] out, int skip) {
    return IntStream.range(0, 3).filter(a -> a != skip && in[a] != out[a]).boxed()
        .sorted((x, y) -> Double.compare(out[x] / (double) in[x], out[y] / (double) in[y]))
        .mapToInt(Integer::intValue).toArray();
  }

  /**
   * One axis of a C-order 3D array resampled from dims[axis] to n voxels (grid_mode: voxel o at
   * input coordinate (o + 0.5) * dims[axis] / n - 0.5), with the spline order's weights. The array
   * is read as (outer, len, inner) and up to {@link #COLUMNS} lines along the axis are handled
   * together, element i of line j at c[i * width + j], so that every loop runs over neighbouring
   * memory: along the inner axes the lines are neighbours in memory, along the last axis (inner
   * 1) each line is read and written in one run.
   */
  static float[] pass(Source a, int[] dims, int axis, int n, int order) {
    int len = dims[axis];
    int outer = 1;
    for (int d = 0; d < axis; d++) {
      outer *= dims[d];
    }
    int inner = 1;
    for (int d = axis + 1; d < 3; d++) {
      inner *= dims[d];
    }
    float[] out = new float[Math.multiplyExact(Math.multiplyExact(outer, n), inner)];
    Taps taps = Taps.of(len, n, order);
    // inner > 1: a task is a run of neighbouring columns of one outer index; inner 1: a run of lines
    int lines = inner > 1 ? inner : outer;
    int columns = Math.min(lines, COLUMNS);
    int chunks = (lines + columns - 1) / columns;
    int tasks = inner > 1 ? outer * chunks : chunks;
    int innerSize = inner;
    IntStream.range(0, tasks).parallel().forEach(task -> {
      int width;
      int inBase;
      int outBase;
      if (innerSize > 1) {
        int o0 = task / chunks;
        int j0 = (task % chunks) * columns;
        width = Math.min(columns, innerSize - j0);
        inBase = o0 * len * innerSize + j0;
        outBase = o0 * n * innerSize + j0;
      } else {
        int l0 = task * columns;
        width = Math.min(columns, lines - l0);
        inBase = l0 * len;
        outBase = l0 * n;
      }
      Buffers buffers = BUFFERS.get();
      double[] c = buffers.coefficients(taps.coefficients * width);
      double[] acc = buffers.sums(width);
      if (innerSize > 1) {
        for (int i = 0; i < len; i++) {
          a.row(inBase + i * innerSize, c, (taps.offset + i) * width, width);
        }
      } else {
        float[] line = buffers.line(len);
        for (int j = 0; j < width; j++) {
          a.floats(inBase + j * len, line, len);
          for (int i = 0; i < len; i++) {
            c[(taps.offset + i) * width + j] = line[i];
          }
        }
      }
      if (order == 3) {
        for (int i = 0; i < taps.offset; i++) {
          System.arraycopy(c, taps.offset * width, c, i * width, width);
          System.arraycopy(c, (taps.offset + len - 1) * width, c, (taps.offset + len + i) * width, width);
        }
        prefilter(c, taps.coefficients, width);
      }
      for (int o = 0; o < n; o++) {
        java.util.Arrays.fill(acc, 0, width, 0);
        int base = o * taps.width;
        for (int k = 0; k < taps.width; k++) {
          double w = taps.weight[base + k];
          int row = taps.index[base + k] * width;
          for (int j = 0; j < width; j++) {
            acc[j] += w * c[row + j];
          }
        }
        if (innerSize > 1) {
          int dst = outBase + o * innerSize;
          for (int j = 0; j < width; j++) {
            out[dst + j] = (float) acc[j];
          }
        } else {
          for (int j = 0; j < width; j++) {
            out[outBase + j * n + o] = (float) acc[j];
          }
        }
      }
    });
    return out;
  }

  /** Lines handled together (a block of (len + 24) x 64 doubles). */
  private static final int COLUMNS = 64;

  /** Each thread's work arrays, grown as needed (the passes run on the common pool). */
  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  private static final class Buffers {
    private double[] coefficients = new double[0];
    private double[] sums = new double[0];
    private float[] line = new float[0];

    double[] coefficients(int n) {
      if (coefficients.length < n) {
        coefficients = new double[n];
      }
      return coefficients;
    }

    double[] sums(int n) {
      if (sums.length < n) {
        sums = new double[n];
      }
      return sums;
    }

    float[] line(int n) {
      if (line.length < n) {
        line = new float[n];
      }
      return line;
    }
  }

  /**
   * Where each output voxel of a line reads and with what weights: scipy's spline weights at
   * coordinate c = (o + 0.5) * len / n - 0.5 (for order 3 in the line padded by 12 edge values),
   * indices clamped to the (padded) line as mode "nearest" does.
   */
  private record Taps(int width, int[] index, double[] weight, int offset, int coefficients) {
    static Taps of(int len, int n, int order) {
      int width = order + 1;
      int offset = order == 3 ? SPLINE_PAD : 0;
      int coefficients = len + 2 * offset;
      int[] index = new int[n * width];
      double[] weight = new double[n * width];
      double zoom = len / (double) n;
      for (int o = 0; o < n; o++) {
        double c = (o + 0.5) * zoom - 0.5 + offset;
        double[] w = new double[width];
        int start;
        if (order == 0) {
          start = (int) Math.floor(c + 0.5);
          w[0] = 1;
        } else if (order == 1) {
          start = (int) Math.floor(c);
          double t = c - start;
          w[0] = 1 - t;
          w[1] = t;
        } else {
          int f = (int) Math.floor(c);
          start = f - 1;
          double t = c - f;
          double u = 1 - t;
          w[0] = u * u * u / 6;
          w[1] = (4 - 6 * t * t + 3 * t * t * t) / 6;
          w[2] = (1 + 3 * t + 3 * t * t - 3 * t * t * t) / 6;
          w[3] = t * t * t / 6;
        }
        for (int k = 0; k < width; k++) {
          index[o * width + k] = Math.max(0, Math.min(coefficients - 1, start + k));
          weight[o * width + k] = w[k];
        }
      }
      return new Taps(width, index, weight, offset, coefficients);
    }
  }

  /**
   * The cubic B-spline coefficients of {@code width} lines of length n in place, line j's element i
   * at c[i * width + j] (scipy's spline_filter1d: gain, causal and anti-causal recursions with
   * mirror-symmetric initial values).
   */
  static void prefilter(double[] c, int n, int width) {
    if (n == 1) {
      return;
    }
    double z = POLE;
    double gain = (1 - z) * (1 - 1 / z);
    for (int i = 0; i < n * width; i++) {
      c[i] *= gain;
    }
    // causal initial value for mirror boundaries
    double zn1 = Math.pow(z, n - 1);
    double[] c0 = new double[width];
    for (int j = 0; j < width; j++) {
      c0[j] = c[j] + zn1 * c[(n - 1) * width + j];
    }
    double zi = z;
    // terms below 1e-30 of the sum change no double (and z^i would reach slow subnormals)
    for (int i = 1; i < n - 1 && Math.abs(zi) > 1e-30; i++) {
      int a = i * width;
      int b = (n - 1 - i) * width;
      for (int j = 0; j < width; j++) {
        c0[j] += zi * (c[a + j] + zn1 * c[b + j]);
      }
      zi *= z;
    }
    for (int j = 0; j < width; j++) {
      c[j] = c0[j] / (1 - zn1 * zn1);
    }
    for (int i = 1; i < n; i++) {
      int a = i * width;
      int b = a - width;
      for (int j = 0; j < width; j++) {
        c[a + j] += z * c[b + j];
      }
    }
    int last = (n - 1) * width;
    for (int j = 0; j < width; j++) {
      c[last + j] = z / (z * z - 1) * (c[last + j] + z * c[last - width + j]);
    }
    for (int i = n - 2; i >= 0; i--) {
      int a = i * width;
      int b = a + width;
      for (int j = 0; j < width; j++) {
        c[a + j] = z * (c[b + j] - c[a + j]);
      }
    }
  }

  private static int[] strides(int[] dims) {
    return new int[] {dims[1] * dims[2], dims[2], 1};
  }

  private static void clip(float[] a, int from, int to, float min, float max) {
    for (int i = from; i < to; i++) {
      a[i] = Math.max(min, Math.min(max, a[i]));
    }
  }

  private static float[] sliceRange(Source a, int[] dims, int[] stride, int axis, int s) {
    float[] r = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    forEachInSlice(dims, stride, axis, s, i -> {
      float x = a.get(i);
      r[0] = Math.min(r[0], x);
      r[1] = Math.max(r[1], x);
    });
    return r;
  }

  private static void clipSlice(float[] a, int[] dims, int[] stride, int axis, int s, float min, float max) {
    forEachInSlice(dims, stride, axis, s, i -> a[i] = Math.max(min, Math.min(max, a[i])));
  }

  private static void forEachInSlice(int[] dims, int[] stride, int axis, int s, java.util.function.IntConsumer f) {
    int o1 = axis == 0 ? 1 : 0;
    int o2 = axis == 2 ? 1 : 2;
    int base = s * stride[axis];
    for (int i1 = 0; i1 < dims[o1]; i1++) {
      for (int i2 = 0; i2 < dims[o2]; i2++) {
        f.accept(base + i1 * stride[o1] + i2 * stride[o2]);
      }
    }
  }
}
