package gradcam3d.render;

import java.util.ArrayList;
import java.util.List;

/**
 * Which axial slices a montage shows and how its tiles are arranged.
 *
 * <p>Slices are every n-th one, aligned so that the overlay's axial slice (by default the one
 * through the CAM peak) is among them: z = anchor mod n, then every n-th slice after it. Without
 * a given step, n is the smallest step giving at most 24 tiles: all slices of a volume up to 24
 * slices deep, otherwise 12 to 24 tiles.
 *
 * @param every step between shown slices
 * @param slices the z indices shown, in tile order (row by row, left to right)
 * @param columns tiles per row
 * @param rows number of tile rows
 */
public record MontagePlan(int every, List<Integer> slices, int columns, int rows) {
  static final int MAX_TILES = 24;

  public MontagePlan {
    slices = List.copyOf(slices);
  }

  /** The tile labels, e.g. "z=12", in tile order. */
  public List<String> labels() {
    return slices.stream().map(z -> "z=" + z).toList();
  }

  /**
   * @param depth number of axial slices
   * @param every user-given step, or null
   * @param anchor a slice that must be shown
   * @param tileAspect tile height / width, used to make the grid roughly square
   */
  static MontagePlan of(int depth, Integer every, int anchor, double tileAspect) {
    int step = every != null ? every : Math.max(1, (depth + MAX_TILES - 1) / MAX_TILES);
    int offset = anchor % step;
    int count = (depth - 1 - offset) / step + 1;
    List<Integer> zs = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      zs.add(offset + k * step);
    }
    int columns = (int) Math.ceil(Math.sqrt(count * tileAspect) - 1e-9);
    columns = Math.max(1, Math.min(count, columns));
    return new MontagePlan(step, zs, columns, (count + columns - 1) / columns);
  }
}
