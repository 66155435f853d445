package gradcam3d.graph;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;
import java.util.Map;

/**
 * A transformer layer's token sequence [B, N, C] seen as a volume [B, C, *grid], what
 * pytorch-grad-cam asks users to hand-write as {@code reshape_transform}: tokens are the patch
 * grid flattened in order (z slowest), after an optional class token. The grid is given with the
 * layer ({@link LayerSpec#tokenGrid}) or found from the patch-embedding convolution: the Conv
 * whose output grid has N (or N - 1) positions.
 */
public record TokenView(long[] grid, boolean classToken, String origin) {
  /** Whether a layer of this rank is a token sequence for a model with this many spatial axes. */
  public static boolean isTokenShape(long[] layerShape, int spatialAxes) {
    return layerShape != null && layerShape.length == 3 && spatialAxes >= 2;
  }

  /**
   * The view of token layer {@code label} of shape [B, N, C]: from {@code given} when not null,
   * else from the patch-embedding Conv of {@code g} (whose shapes are in {@code info}).
   */
  public static TokenView of(String label, long[] tokens, long batch, long[] given, Graph g,
      Map<String, TensorInfo> info, int spatialAxes) {
    long n = tokens[1];
    if (tokens[0] != batch) {
      throw new Gradcam3dException("layer '" + label + "' has shape " + Shapes.format(tokens) + ": its first axis "
          + "is not the batch (" + batch + "), so it is not one token sequence per sample (attention inside "
          + "windows?); choose the enclosing block, whose output is");
    }
    if (given != null) {
      if (given.length != spatialAxes) {
        throw new Gradcam3dException("the token grid " + Shapes.format(given) + " of layer '" + label
            + "' needs " + spatialAxes + " sizes, one per spatial axis of the input");
      }
      long cells = Shapes.numel(given);
      if (cells != n && cells != n - 1) {
        throw new Gradcam3dException("layer '" + label + "' has " + n + " tokens " + Shapes.format(tokens)
            + ", but the grid " + Shapes.format(given) + " has " + cells + " cells (tokens must be the grid's "
            + "cells, plus at most one class token first)");
      }
      return new TokenView(given, cells == n - 1, "given");
    }
    for (Node node : g.nodes()) {
      if (!node.opType().equals("Conv") || !ShapeRules.isDefaultDomain(node)) {
        continue;
      }
      TensorInfo out = info.get(node.output(0));
      long[] s = out == null ? null : out.shape();
      if (s == null || s.length != spatialAxes + 2 || !Shapes.isKnown(s)) {
        continue;
      }
      long[] grid = Arrays.copyOfRange(s, 2, s.length);
      long cells = Shapes.numel(grid);
      if (cells == n || cells == n - 1) {
        String module = ModuleScopes.modulePath(node);
        return new TokenView(grid, cells == n - 1, "patch embedding " + (module.isEmpty() ? node.name() : module));
      }
    }
    throw new Gradcam3dException("layer '" + label + "' is a token sequence " + Shapes.format(tokens)
        + ", not a volume [B, C, *spatial], and no convolution of the model (a patch embedding) makes a grid of "
        + n + " or " + (n - 1) + " cells; give the token grid, e.g. " + Setting.TOKEN_GRID.label() + " "
        + exampleGrid(spatialAxes)
        + " (or " + Setting.LAYER.label() + " '" + label + ":grid=" + exampleGrid(spatialAxes) + "')");
  }

  private static String exampleGrid(int axes) {
    return axes == 2 ? "Y,X" : axes == 3 ? "Z,Y,X" : String.join(",", java.util.Collections.nCopies(axes, "N"));
  }

  /** The view's shape [B, C, *grid] for tokens [B, N, C]. */
  public long[] viewShape(long[] tokens) {
    long[] s = new long[grid.length + 2];
    s[0] = tokens[0];
    s[1] = tokens[2];
    System.arraycopy(grid, 0, s, 2, grid.length);
    return s;
  }

  /** Appends the view of {@code tokens}; the same nodes view a gradient of the tokens. */
  public String apply(GraphBuilder b, String tokens) {
    long[] t = b.shape(tokens);
    String cells = classToken ? b.slice(tokens, new long[] {1}, new long[] {t[1]}, new long[] {1}, null) : tokens;
    long[] channelsLast = new long[grid.length + 2];
    channelsLast[0] = t[0];
    System.arraycopy(grid, 0, channelsLast, 1, grid.length);
    channelsLast[grid.length + 1] = t[2];
    long[] perm = new long[grid.length + 2];
    perm[1] = grid.length + 1;
    for (int i = 0; i < grid.length; i++) {
      perm[i + 2] = i + 1;
    }
    return b.transpose(b.reshape(cells, channelsLast), perm);
  }

  /** One phrase for listings: how the tokens are seen. */
  public String describe(long[] tokens) {
    return "tokens seen as " + Shapes.format(viewShape(tokens)) + (classToken ? " without the class token" : "")
        + ", grid " + ("given".equals(origin) ? "given" : "of the " + origin);
  }
}
