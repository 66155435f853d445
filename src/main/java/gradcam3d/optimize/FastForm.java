package gradcam3d.optimize;

import gradcam3d.graph.Graph;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.Node;
import gradcam3d.graph.Specialization;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exact rewrites of a shape-specialised graph into ops ONNX Runtime runs faster, or that compute
 * less (a convolution whose output channels are mostly sliced away, {@link ChannelSlicedConv}). Applied to
 * compiled explanation programs (forward and backward parts alike) and, through {@link #model},
 * to plain models for inference.
 */
public final class FastForm {
  private FastForm() {}

  /** What a rewrite pass changed. */
  public record Report(int convTransposes, int scalarPRelus, int channelSlicedConvs) {
    public int total() {
      return convTransposes + scalarPRelus + channelSlicedConvs;
    }
  }

  /**
   * Rewrites the graph of {@code b} in place (shapes must be known) keeping its declared outputs;
   * nodes end up unsorted.
   */
  public static Report apply(GraphBuilder b) {
    return apply(b, b.graph().outputNames());
  }

  /** The same; {@code outputs}: the tensors the caller reads (a program's outputs, not yet declared). */
  public static Report apply(GraphBuilder b, Collection<String> outputs) {
    // first: a sliced ConvTranspose is then rewritten in its smaller form below
    int sliced = ChannelSlicedConv.rewriteAll(b, Set.copyOf(outputs));
    int convTransposes = 0;
    int prelus = 0;
    for (Node n : List.copyOf(b.graph().nodes())) {
      if (PolyphaseConvTranspose.rewrite(b, n)) {
        convTransposes++;
      } else if (ScalarPRelu.rewrite(b, n)) {
        prelus++;
      }
    }
    return new Report(convTransposes, prelus, sliced);
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
