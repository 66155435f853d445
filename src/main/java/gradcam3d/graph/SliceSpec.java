package gradcam3d.graph;

import java.util.Arrays;

/** A Slice node's per-axis start, end and step, clamped as the ONNX spec says. */
public final class SliceSpec {
  public final long[] inShape;
  public final long[] start;
  public final long[] end;
  public final long[] step;

  private SliceSpec(long[] inShape, long[] start, long[] end, long[] step) {
    this.inShape = inShape;
    this.start = start;
    this.end = end;
    this.step = step;
  }

  public static SliceSpec of(long[] shape, long[] starts, long[] ends, long[] axes, long[] steps) {
    int r = shape.length;
    long[] st = new long[r];
    long[] en = shape.clone();
    long[] sp = new long[r];
    Arrays.fill(sp, 1);
    for (int i = 0; i < starts.length; i++) {
      int a = axes == null ? i : ShapeInference.axis(axes[i], r);
      long dim = shape[a];
      long step = steps == null ? 1 : steps[i];
      if (step == 0) {
        throw new IllegalArgumentException("slice step 0");
      }
      long s = starts[i];
      long e = ends[i];
      if (dim < 0) {
        st[a] = s;
        en[a] = e;
        sp[a] = step;
        continue;
      }
      if (s < 0) {
        s += dim;
      }
      if (e < 0) {
        e += dim;
      }
      if (step > 0) {
        s = clamp(s, 0, dim);
        e = clamp(e, 0, dim);
      } else {
        s = clamp(s, 0, dim - 1);
        e = clamp(e, -1, dim - 1);
      }
      st[a] = s;
      en[a] = e;
      sp[a] = step;
    }
    return new SliceSpec(shape.clone(), st, en, sp);
  }

  private static long clamp(long v, long lo, long hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  public long length(int axis) {
    if (inShape[axis] < 0) {
      return -1;
    }
    long diff = end[axis] - start[axis];
    long s = step[axis];
    long len = s > 0 ? (diff + s - 1) / s : (diff + s + 1) / s;
    return Math.max(0, len);
  }

  /**
   * The axes this slice reverses when it only reverses whole axes (step -1 from the last element
   * to the first; every other axis whole with step 1), as torch.flip exports; null otherwise.
   */
  public long[] reversedAxes() {
    java.util.List<Long> axes = new java.util.ArrayList<>();
    for (int a = 0; a < inShape.length; a++) {
      long dim = inShape[a];
      if (dim < 0 || length(a) != dim) {
        return null;
      }
      if (step[a] == -1 && start[a] == dim - 1) {
        axes.add((long) a);
      } else if (!(step[a] == 1 && start[a] == 0)) {
        return null;
      }
    }
    return axes.isEmpty() ? null : axes.stream().mapToLong(Long::longValue).toArray();
  }

  public long[] outShape() {
    long[] o = new long[inShape.length];
    for (int i = 0; i < o.length; i++) {
      o[i] = length(i);
    }
    return o;
  }

  public boolean allUnitSteps() {
    for (long s : step) {
      if (s != 1) {
        return false;
      }
    }
    return true;
  }
}
