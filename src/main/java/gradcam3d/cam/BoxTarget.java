package gradcam3d.cam;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.Labels;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;
import java.util.Optional;

/** Class k summed inside a box of the output grid: start (inclusive) and end (exclusive) per axis. */
public record BoxTarget(int classIndex, long[] start, long[] end) implements Target {
  /** From the parsed list z0,y0,x0,z1,y1,x1 (an odd count is reported by {@link #check}). */
  static BoxTarget of(int k, long[] coords) {
    int r = coords.length / 2;
    if (coords.length % 2 != 0) {
      return new BoxTarget(k, coords, new long[0]);
    }
    return new BoxTarget(k, Arrays.copyOfRange(coords, 0, r), Arrays.copyOfRange(coords, r, 2 * r));
  }

  @Override
  public String spec() {
    return classIndex + ":box=" + join(start) + (end.length > 0 ? "," + join(end) : "");
  }

  static String join(long[] v) {
    return String.join(",", Arrays.stream(v).mapToObj(Long::toString).toList());
  }

  @Override
  public String describe() {
    long[] all = Arrays.copyOf(start, start.length + end.length);
    System.arraycopy(end, 0, all, start.length, end.length);
    return "class " + classIndex + " inside box " + Arrays.toString(all);
  }

  @Override
  public boolean placedOnGrid() {
    return true;
  }

  /** The box through its two corner voxels: the smallest box on the model's grid holding both (exact for reorientation). */
  @Override
  public Target onModelGrid(IndexMap map, long[] scanShape) {
    if (start.length != scanShape.length || end.length != scanShape.length) {
      return this; // check() reports the wrong coordinate count
    }
    long[] last = new long[end.length];
    for (int a = 0; a < end.length; a++) {
      last[a] = end[a] - 1;
    }
    long[] p = map.toModel(start);
    long[] q = map.toModel(last);
    long[] lo = new long[p.length];
    long[] hi = new long[p.length];
    for (int a = 0; a < p.length; a++) {
      lo[a] = Math.min(p[a], q[a]);
      hi[a] = Math.max(p[a], q[a]) + 1;
    }
    return new BoxTarget(classIndex, lo, hi);
  }

  @Override
  public void check(long[] outputShape) {
    Target.checkClassRegion(this, outputShape);
    checkInside(this, start, end, outputShape, 2);
  }

  /** The box [lo, hi) lies in the output grid, with one coordinate per axis (needs {@code per} numbers per axis). */
  static void checkInside(Target t, long[] lo, long[] hi, long[] outputShape, int per) {
    long[] spatial = Arrays.copyOfRange(outputShape, 2, outputShape.length);
    int r = spatial.length;
    if (lo.length != r || hi.length != r) {
      throw new gradcam3d.OptionValueException("target '" + t.spec() + "' needs " + per * r + " coordinates for a "
          + r + "-D output grid " + Shapes.format(spatial));
    }
    for (int a = 0; a < r; a++) {
      if (lo[a] < 0 || hi[a] > spatial[a] || lo[a] >= hi[a]) {
        throw new gradcam3d.OptionValueException("target '" + t.spec() + "' is outside the output grid "
            + Shapes.format(spatial) + " along axis " + a + " (needs 0 <= start < end <= " + spatial[a] + ")");
      }
    }
  }

  @Override
  public void writeSeed(float[] weights, float[] gate, int b, long[] outputShape) {
    fill(weights, b, classIndex, start, end, outputShape);
  }

  /** 1 inside [lo, hi) in sample b's class-k slice of the seed. */
  public static void fill(float[] weights, int b, int k, long[] lo, long[] hi, long[] outputShape) {
    long[] spatial = Arrays.copyOfRange(outputShape, 2, outputShape.length);
    int voxels = (int) Shapes.numel(spatial);
    int base = (b * (int) outputShape[1] + k) * voxels;
    long[] str = Shapes.strides(spatial);
    for (int v = 0; v < voxels; v++) {
      boolean inside = true;
      for (int a = 0; a < spatial.length && inside; a++) {
        long c = (v / str[a]) % spatial[a];
        inside = c >= lo[a] && c < hi[a];
      }
      if (inside) {
        weights[base + v] = 1f;
      }
    }
  }

  @Override
  public float[] region(Labels segmentation, long[] spatial) {
    float[] region = new float[(int) Shapes.numel(spatial)];
    fill(region, 0, 0, start, end, Shapes.concat(new long[] {1, 1}, spatial));
    return region;
  }

  @Override
  public Optional<Target> restrictTo(long[] windowStart, long[] size) {
    long[] lo = new long[start.length];
    long[] hi = new long[start.length];
    for (int a = 0; a < start.length; a++) {
      lo[a] = Math.max(start[a], windowStart[a]) - windowStart[a];
      hi[a] = Math.min(end[a], windowStart[a] + size[a]) - windowStart[a];
      if (lo[a] >= hi[a]) {
        return Optional.empty();
      }
    }
    return Optional.of(new BoxTarget(classIndex, lo, hi));
  }
}
