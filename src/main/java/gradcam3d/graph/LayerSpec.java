package gradcam3d.graph;

import gradcam3d.OptionValueException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A layer to explain: its name as {@link LayerResolver} takes it (a module path, a {@code module@k}
 * element or an ONNX tensor name) and, for a transformer token layer [B, N, C], the patch grid its
 * tokens cover ({@link TokenView}; null: found from the patch-embedding convolution, and not
 * needed by a layer that is a volume).
 *
 * <p>{@link #toString} is the layer's text form, {@code name} or {@code name:grid=Z,Y,X} (the
 * command line's spelling): what reports print and what the program cache keys hold, so different
 * grids give different programs.
 */
public record LayerSpec(String name, long[] tokenGrid) {
  public LayerSpec {
    Objects.requireNonNull(name, "name");
    if (tokenGrid != null) {
      tokenGrid = tokenGrid.clone();
      if (tokenGrid.length == 0 || Arrays.stream(tokenGrid).min().getAsLong() <= 0) {
        throw new OptionValueException("the token grid " + Arrays.toString(tokenGrid) + " of layer '" + name
            + "' must be positive sizes like 6,6,6");
      }
    }
  }

  /** A layer by name, its token grid (if it is a token layer) found from the patch embedding. */
  public static LayerSpec named(String name) {
    return new LayerSpec(name, null);
  }

  /** Layers by name ({@link #named}). */
  public static List<LayerSpec> names(List<String> names) {
    return names.stream().map(LayerSpec::named).toList();
  }

  /** Layers by name ({@link #named}). */
  public static List<LayerSpec> names(String... names) {
    return names(List.of(names));
  }

  /** This layer with its tokens seen on {@code grid} (null: found from the patch embedding). */
  public LayerSpec withTokenGrid(long[] grid) {
    return new LayerSpec(name, grid);
  }

  /** The token grid, or null when none is given. */
  @Override
  public long[] tokenGrid() {
    return tokenGrid == null ? null : tokenGrid.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LayerSpec l && name.equals(l.name) && Arrays.equals(tokenGrid, l.tokenGrid);
  }

  @Override
  public int hashCode() {
    return 31 * name.hashCode() + Arrays.hashCode(tokenGrid);
  }

  /** {@code name}, or {@code name:grid=Z,Y,X} with a token grid. */
  @Override
  public String toString() {
    return tokenGrid == null ? name : name + ":grid=" + Arrays.stream(tokenGrid).mapToObj(Long::toString)
        .collect(Collectors.joining(","));
  }
}
