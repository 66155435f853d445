package gradcam3d.optimize;

import gradcam3d.graph.Graph;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.Node;
import gradcam3d.graph.Specialization;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import java.util.List;
import java.util.Map;

/**
 * Exact rewrites of a shape-specialised graph into ops ONNX Runtime runs faster. Applied to
 * compiled explanation programs (forward and backward parts alike) and, through {@link #model},
 * to plain models for inference.
 */
public final class FastForm {
  private FastForm() {}

  /** What a rewrite pass changed. */
  public record Report(int convTransposes, int scalarPRelus) {
    public int total() {
      return convTransposes + scalarPRelus;
    }
  }

  /** Rewrites the graph of {@code b} in place (shapes must be known); nodes end up unsorted. */
  public static Report apply(GraphBuilder b) {
    int convTransposes = 0;
    int prelus = 0;
    for (Node n : List.copyOf(b.graph().nodes())) {
      if (PolyphaseConvTranspose.rewrite(b, n)) {
        convTransposes++;
      } else if (ScalarPRelu.rewrite(b, n)) {
        prelus++;
      }
    }
    return new Report(convTransposes, prelus);
  }

  /** A rewritten model plus what changed. */
  public record Optimized(ModelProto model, Report report) {}

  /**
   * The model fixed to the given input shapes (declared shapes where none is given; shape
   * arithmetic folded) with every rewrite applied: the same outputs, computed faster.
   */
  public static Optimized model(ModelProto model, Map<String, long[]> inputShapes) {
    Specialization sp = Specialization.of(Graph.fromModel(model), inputShapes);
    GraphBuilder b = sp.builder("gc3d_fast/");
    Report r = apply(b);
    Graph g = b.graph();
    g.prune();
    g.sortTopologically();
    return new Optimized(g.toModel(), r);
  }
}
