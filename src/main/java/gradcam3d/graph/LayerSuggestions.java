package gradcam3d.graph;

import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which layers to explain, ranked for a model (`gradcam3d layers --suggest`). A segmentation net
 * (encoder, coarsest point, decoder) gets its decoder block outputs at a quarter of the input
 * resolution or finer first (coarse to fine: features that already mean classes and still locate
 * them), then its bottleneck (the most abstract, and coarse); a classifier gets its last feature
 * map. A block output is the last tensor computed at a resolution before the next change of
 * resolution, named by its shortest module path. The model's own outputs are never suggested.
 *
 * @param layer what to pass to {@code --layer}
 * @param shape its output shape
 * @param why one line of why
 */
public record LayerSuggestions(String layer, long[] shape, String why) {
  /** Coarser decoder levels than this share of the input's size along an axis are not suggested. */
  static final int COARSEST_DECODER = 4;

  /** The ranked suggestions; empty when no module output is a feature map of the input's rank. */
  public static List<LayerSuggestions> of(Graph g, Map<String, long[]> inputShapes) {
    List<LayerListing.Row> rows = LayerListing.of(g, inputShapes);
    long[] input = largestInput(g, inputShapes);
    if (input.length < 3 || !Shapes.isKnown(input)) {
      return List.of();
    }
    Map<String, Integer> order = new HashMap<>();
    List<Node> nodes = g.nodes();
    for (int i = 0; i < nodes.size(); i++) {
      for (String out : nodes.get(i).outputs()) {
        order.put(out, i);
      }
    }
    // the model's outputs and anything of their shape (the logits before an activation) are the
    // prediction itself, and a globally pooled 1x1 map locates nothing
    List<long[]> outputShapes = new ArrayList<>();
    Map<String, TensorInfo> info = ShapeInference.infer(g, inputShapes);
    for (String o : g.outputNames()) {
      if (info.get(o) != null) {
        outputShapes.add(info.get(o).shape());
      }
    }
    // one entry per feature-map tensor: its earliest-named module
    Map<String, LayerListing.Row> byTensor = new LinkedHashMap<>();
    for (LayerListing.Row r : rows) {
      long[] s = r.shape();
      if (s == null || s.length != input.length || !Shapes.isKnown(s) || s[1] < 2 || !order.containsKey(r.tensor())
          || g.outputNames().contains(r.tensor()) || voxels(s) == 1
          || outputShapes.stream().anyMatch(o -> java.util.Arrays.equals(o, s))) {
        continue;
      }
      byTensor.merge(r.tensor(), r, (a, b) -> label(b).length() < label(a).length()
          || (label(b).length() == label(a).length() && dots(b) < dots(a)) ? b : a);
    }
    if (byTensor.isEmpty()) {
      return List.of();
    }
    List<LayerListing.Row> inOrder = new ArrayList<>(byTensor.values());
    inOrder.sort(Comparator.comparingInt(r -> order.get(r.tensor())));
    // the coarsest point: the last tensor computed at the smallest size
    long smallest = inOrder.stream().mapToLong(r -> voxels(r.shape())).min().orElseThrow();
    int bottleneck = -1;
    for (int i = 0; i < inOrder.size(); i++) {
      if (voxels(inOrder.get(i).shape()) == smallest) {
        bottleneck = i;
      }
    }
    List<LayerSuggestions> out = new ArrayList<>();
    List<LayerListing.Row> decoder = new ArrayList<>();
    for (int i = bottleneck + 1; i < inOrder.size(); i++) {
      LayerListing.Row r = inOrder.get(i);
      boolean lastAtItsSize = i + 1 == inOrder.size() || voxels(inOrder.get(i + 1).shape()) != voxels(r.shape());
      if (lastAtItsSize && voxels(r.shape()) > smallest && atLeastQuarter(r.shape(), input)) {
        decoder.add(r);
      }
    }
    if (decoder.isEmpty()) {
      // no way back up: a classifier (or an encoder); its last feature map is what Grad-CAM uses
      LayerListing.Row last = inOrder.get(inOrder.size() - 1);
      out.add(new LayerSuggestions(label(last), last.shape(), "the last feature map (" + scale(last.shape(), input)
          + " of the input resolution): what Grad-CAM explains for a classifier"));
      if (bottleneck != inOrder.size() - 1) {
        LayerListing.Row b = inOrder.get(bottleneck);
        out.add(new LayerSuggestions(label(b), b.shape(), "the coarsest feature map (" + scale(b.shape(), input) + ")"));
      }
      return out;
    }
    // coarse to fine: a quarter of the resolution first
    decoder.sort(Comparator.comparingLong(r -> voxels(r.shape())));
    for (LayerListing.Row r : decoder) {
      boolean full = voxels(r.shape()) == voxels(input);
      out.add(new LayerSuggestions(label(r), r.shape(), full
          ? "decoder block at the input's full resolution: sharpest, but close to the prediction itself"
          : "decoder block at " + scale(r.shape(), input) + " of the input resolution: features that already mean "
              + "classes, still in place"));
    }
    LayerListing.Row b = inOrder.get(bottleneck);
    out.add(new LayerSuggestions(label(b), b.shape(), "bottleneck at " + scale(b.shape(), input)
        + ": the most abstract features, coarse blobs once resized"));
    return out;
  }

  private static boolean atLeastQuarter(long[] shape, long[] input) {
    for (int a = 2; a < input.length; a++) {
      if (shape[a] * COARSEST_DECODER < input[a]) {
        return false;
      }
    }
    return true;
  }

  /** "1/4" or "full": the input's size over the layer's along the most reduced axis. */
  private static String scale(long[] shape, long[] input) {
    double worst = 1;
    for (int a = 2; a < input.length; a++) {
      worst = Math.max(worst, input[a] / (double) shape[a]);
    }
    long f = Math.round(worst);
    return f <= 1 ? "full" : "1/" + f;
  }

  private static long voxels(long[] shape) {
    return Shapes.numel(java.util.Arrays.copyOfRange(shape, 2, shape.length));
  }

  private static String label(LayerListing.Row r) {
    return r.elements() > 1 ? r.module() + "@" + r.element() : r.module();
  }

  private static int dots(LayerListing.Row r) {
    return (int) r.module().chars().filter(c -> c == '.').count();
  }

  private static long[] largestInput(Graph g, Map<String, long[]> inputShapes) {
    long[] best = new long[0];
    for (var v : g.inputs()) {
      long[] s = inputShapes.getOrDefault(v.getName(), Graph.declaredShape(v));
      if (s != null && s.length > best.length) {
        best = s;
      }
    }
    return best;
  }
}
