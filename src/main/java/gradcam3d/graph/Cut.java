package gradcam3d.graph;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Graph surgery: the part of a graph after a tensor, i.e. the nodes that depend on it, and the
 * other tensors those nodes read (initializers aside), which cross the cut (skip connections).
 */
public record Cut(List<Node> downstream, List<String> boundary) {
  /** The cut of a topologically sorted graph at {@code tensor}. */
  public static Cut of(Graph g, String tensor) {
    Set<String> active = new HashSet<>(List.of(tensor));
    List<Node> downstream = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (n.inputs().stream().anyMatch(active::contains)) {
        downstream.add(n);
        n.outputs().stream().filter(o -> !o.isEmpty()).forEach(active::add);
      }
    }
    List<String> boundary = new ArrayList<>();
    for (Node n : downstream) {
      for (String in : n.inputs()) {
        if (!in.isEmpty() && !active.contains(in) && !g.initializers().containsKey(in)
            && !boundary.contains(in)) {
          boundary.add(in);
        }
      }
    }
    return new Cut(downstream, boundary);
  }
}
