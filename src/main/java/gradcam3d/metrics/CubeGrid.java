package gradcam3d.metrics;

import gradcam3d.tensor.Shapes;

/**
 * A grid of cubes (squares in 2D) of edge e over the spatial grid, centred as Quantus pads an
 * image to a multiple of its patch size: per axis ceil(D / e) cubes, the first starting at
 * -floor((ceil(D / e) e - D) / 2); each cube is its voxels inside the volume. Cubes are numbered
 * in row-major order of their grid position (numpy.unravel_index over the cube counts), the
 * order Quantus' get_block_indices yields its patches.
 */
public final class CubeGrid {
  private final long[] spatial;
  private final int edge;
  private final int[] counts;
  private final int[] start;

  public CubeGrid(long[] spatial, int edge) {
    if (edge < 1) {
      throw new IllegalArgumentException("cube edge must be at least 1, not " + edge);
    }
    this.spatial = spatial.clone();
    this.edge = edge;
    counts = new int[spatial.length];
    start = new int[spatial.length];
    for (int a = 0; a < spatial.length; a++) {
      int d = (int) spatial[a];
      counts[a] = (d + edge - 1) / edge;
      int total = counts[a] * edge - d;
      start[a] = -(total / 2);
    }
  }

  /** An edge giving about {@code cubes} cubes: max(1, round((N / cubes)^(1 / rank))). */
  public static int autoEdge(long[] spatial, int cubes) {
    double n = Shapes.numel(spatial);
    return (int) Math.max(1, Math.round(Math.pow(n / cubes, 1.0 / spatial.length)));
  }

  public int edge() {
    return edge;
  }

  public int size() {
    int n = 1;
    for (int c : counts) {
      n *= c;
    }
    return n;
  }

  /** Flat voxel indices of cube {@code id}, ascending. */
  public int[] voxels(int id) {
    int rank = spatial.length;
    int[] lo = new int[rank];
    int[] hi = new int[rank];
    int rest = id;
    for (int a = rank - 1; a >= 0; a--) {
      int i = rest % counts[a];
      rest /= counts[a];
      lo[a] = Math.max(0, start[a] + i * edge);
      hi[a] = (int) Math.min(spatial[a], start[a] + (i + 1) * edge);
    }
    int n = 1;
    for (int a = 0; a < rank; a++) {
      n *= hi[a] - lo[a];
    }
    int[] out = new int[n];
    int[] c = lo.clone();
    for (int j = 0; j < n; j++) {
      int flat = 0;
      for (int a = 0; a < rank; a++) {
        flat = flat * (int) spatial[a] + c[a];
      }
      out[j] = flat;
      for (int a = rank - 1; a >= 0; a--) {
        if (++c[a] < hi[a]) {
          break;
        }
        c[a] = lo[a];
      }
    }
    return out;
  }

  /** Cube id of every voxel. */
  public int[] labels() {
    int[] out = new int[(int) Shapes.numel(spatial)];
    for (int id = 0; id < size(); id++) {
      for (int v : voxels(id)) {
        out[v] = id;
      }
    }
    return out;
  }
}
