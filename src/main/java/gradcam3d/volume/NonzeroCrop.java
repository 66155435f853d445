package gradcam3d.volume;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;

/**
 * nnU-Net v2's crop to the nonzero region (nnunetv2 preprocessing/cropping/cropping.py,
 * crop_to_nonzero): the bounding box, half open [start, end) per spatial axis, of the voxels that
 * are nonzero in any channel (the whole grid when none is), and within it the nonzero mask with its
 * holes filled (scipy's binary_fill_holes: zero regions not connected to the box's border through
 * face neighbours), which is the mask {@code use_mask_for_norm} normalises inside. Filling within
 * the box equals filling the whole grid and cropping: every voxel outside the box is zero and
 * reaches the grid's border.
 *
 * @param start first voxel of the box per spatial axis (tensor order)
 * @param end one past the last voxel per spatial axis
 */
public record NonzeroCrop(long[] start, long[] end) {
  public NonzeroCrop {
    start = start.clone();
    end = end.clone();
  }

  /** The box of a (C, *S) tensor (any number of spatial axes). */
  public static NonzeroCrop of(FloatTensor channelsFirst) {
    long[] spatial = Shapes.tail(channelsFirst.shape(), 1);
    int r = spatial.length;
    long[] lo = new long[r];
    long[] hi = new long[r];
    Arrays.fill(lo, Long.MAX_VALUE);
    Arrays.fill(hi, Long.MIN_VALUE);
    float[] d = channelsFirst.data();
    int block = (int) Shapes.numel(spatial);
    int channels = block == 0 ? 0 : d.length / block;
    int row = (int) spatial[r - 1];
    int rows = row == 0 ? 0 : block / row;
    long[] leading = Arrays.copyOf(spatial, r - 1);
    // row by row along the last axis: a row with a nonzero voxel widens the leading axes' range
    for (int k = 0; k < rows; k++) {
      int first = row;
      int last = -1;
      for (int c = 0; c < channels; c++) {
        int base = c * block + k * row;
        for (int x = 0; x < first; x++) {
          if (d[base + x] != 0) {
            first = x;
            break;
          }
        }
        for (int x = row - 1; x > last; x--) {
          if (d[base + x] != 0) {
            last = x;
            break;
          }
        }
      }
      if (last < 0) {
        continue;
      }
      lo[r - 1] = Math.min(lo[r - 1], first);
      hi[r - 1] = Math.max(hi[r - 1], last + 1);
      long rest = k;
      for (int a = r - 2; a >= 0; a--) {
        long i = rest % leading[a];
        rest /= leading[a];
        lo[a] = Math.min(lo[a], i);
        hi[a] = Math.max(hi[a], i + 1);
      }
    }
    if (lo[0] == Long.MAX_VALUE) {
      // no nonzero voxel: acvl_utils' get_bbox_from_mask keeps the whole grid
      return new NonzeroCrop(new long[r], spatial);
    }
    return new NonzeroCrop(lo, hi);
  }

  /** The box's shape. */
  public long[] shape() {
    long[] s = new long[start.length];
    for (int a = 0; a < s.length; a++) {
      s[a] = end[a] - start[a];
    }
    return s;
  }

  /** Whether the box is the whole grid of this spatial shape. */
  public boolean isWhole(long[] spatial) {
    for (int a = 0; a < spatial.length; a++) {
      if (start[a] != 0 || end[a] != spatial[a]) {
        return false;
      }
    }
    return true;
  }

  /** The box's part of a tensor whose last axes are the spatial ones (a new array). */
  public FloatTensor crop(FloatTensor t) {
    long[] shape = t.shape();
    int r = start.length;
    int lead = shape.length - r;
    long[] spatial = Arrays.copyOfRange(shape, lead, shape.length);
    long[] box = shape();
    long[] outShape = Shapes.concat(Arrays.copyOf(shape, lead), box);
    float[] out = new float[Math.toIntExact(Shapes.numel(outShape))];
    copyRows(t.data(), spatial, out, box, true);
    return new FloatTensor(out, outShape);
  }

  /**
   * A tensor on the box's grid pasted into a grid of {@code spatial} (zeros outside), as
   * acvl_utils' insert_crop_into_image does.
   */
  public FloatTensor paste(FloatTensor t, long[] spatial) {
    long[] shape = t.shape();
    int r = start.length;
    int lead = shape.length - r;
    long[] outShape = Shapes.concat(Arrays.copyOf(shape, lead), spatial);
    float[] out = new float[Math.toIntExact(Shapes.numel(outShape))];
    copyRows(out, spatial, t.data(), shape(), false);
    return new FloatTensor(out, outShape);
  }

  /** Copies the box's rows (runs along the last axis) between the whole grid and the box, block by block. */
  private void copyRows(float[] whole, long[] spatial, float[] boxed, long[] box, boolean toBox) {
    int r = start.length;
    int wholeBlock = (int) Shapes.numel(spatial);
    int boxBlock = (int) Shapes.numel(box);
    int blocks = boxBlock == 0 ? 0 : boxed.length / boxBlock;
    long[] wStride = Shapes.strides(spatial);
    long[] leading = Arrays.copyOf(box, r - 1);
    long rows = Shapes.numel(leading);
    int run = (int) box[r - 1];
    for (int b = 0; b < blocks; b++) {
      for (long k = 0; k < rows; k++) {
        long rest = k;
        long wo = start[r - 1];
        for (int a = r - 2; a >= 0; a--) {
          wo += (start[a] + rest % box[a]) * wStride[a];
          rest /= box[a];
        }
        int w = (int) (b * (long) wholeBlock + wo);
        int o = (int) (b * (long) boxBlock + k * run);
        if (toBox) {
          System.arraycopy(whole, w, boxed, o, run);
        } else {
          System.arraycopy(boxed, o, whole, w, run);
        }
      }
    }
  }

  /** A spatial index of the whole grid on the box's grid (clamped into the box). */
  public long[] indexInBox(long[] index) {
    long[] out = new long[index.length];
    for (int a = 0; a < index.length; a++) {
      out[a] = Math.max(0, Math.min(end[a] - start[a] - 1, index[a] - start[a]));
    }
    return out;
  }

  /**
   * The nonzero mask of a cropped (C, *S) tensor with holes filled: true where any channel is
   * nonzero or the zero voxel is enclosed (not face-connected to the box's border through zeros).
   */
  public static boolean[] filledMask(FloatTensor cropped) {
    long[] spatial = Shapes.tail(cropped.shape(), 1);
    int r = spatial.length;
    int n = (int) Shapes.numel(spatial);
    float[] d = cropped.data();
    int channels = n == 0 ? 0 : d.length / n;
    boolean[] nonzero = new boolean[n];
    for (int c = 0; c < channels; c++) {
      for (int v = 0; v < n; v++) {
        nonzero[v] |= d[c * n + v] != 0;
      }
    }
    // the zeros reached from the border through face neighbours are outside; the rest is the mask
    boolean[] outside = new boolean[n];
    long[] stride = Shapes.strides(spatial);
    int[] queue = new int[Math.max(16, n / 8)];
    int head = 0;
    int tail = 0;
    for (int v = 0; v < n; v++) {
      if (!nonzero[v] && onBorder(v, spatial, stride)) {
        outside[v] = true;
        if (tail == queue.length) {
          queue = Arrays.copyOf(queue, Math.min(n, queue.length * 2));
        }
        queue[tail++] = v;
      }
    }
    while (head < tail) {
      int v = queue[head++];
      for (int a = 0; a < r; a++) {
        long i = (v / stride[a]) % spatial[a];
        for (int step = -1; step <= 1; step += 2) {
          long j = i + step;
          if (j < 0 || j >= spatial[a]) {
            continue;
          }
          int u = (int) (v + step * stride[a]);
          if (!nonzero[u] && !outside[u]) {
            outside[u] = true;
            if (tail == queue.length) {
              // compact the queue before growing it
              System.arraycopy(queue, head, queue, 0, tail - head);
              tail -= head;
              head = 0;
              if (tail == queue.length) {
                queue = Arrays.copyOf(queue, Math.min(n, queue.length * 2));
              }
            }
            queue[tail++] = u;
          }
        }
      }
    }
    boolean[] mask = new boolean[n];
    for (int v = 0; v < n; v++) {
      mask[v] = !outside[v];
    }
    return mask;
  }

  private static boolean onBorder(int v, long[] spatial, long[] stride) {
    for (int a = 0; a < spatial.length; a++) {
      long i = (v / stride[a]) % spatial[a];
      if (i == 0 || i == spatial[a] - 1) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NonzeroCrop c && Arrays.equals(start, c.start) && Arrays.equals(end, c.end);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(start) + Arrays.hashCode(end);
  }

  @Override
  public String toString() {
    return Arrays.toString(start) + ".." + Arrays.toString(end);
  }
}
