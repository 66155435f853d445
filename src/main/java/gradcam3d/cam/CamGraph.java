package gradcam3d.cam;

import gradcam3d.graph.GraphBuilder;

/** The few graph operations CAM formulas are written in; tensors are [B, C, *S] unless said. */
public final class CamGraph {
  private final GraphBuilder b;
  private final java.util.function.Supplier<String> hessianTimesActivation;

  public CamGraph(GraphBuilder b) {
    this(b, null);
  }

  /** For one layer of a program, with the layer's Hessian-vector product H A made on demand. */
  public CamGraph(GraphBuilder b, java.util.function.Supplier<String> hessianTimesActivation) {
    this.b = b;
    this.hessianTimesActivation = hessianTimesActivation;
  }

  /**
   * H A [B, C, *S]: the Hessian of T with respect to the layer's activation A times A (A held fixed
   * in the product), by differentiating the gradient graph a second time
   * ({@link gradcam3d.autodiff.GradientProgram#hessianTimesActivation}).
   */
  public String hessianTimesActivation() {
    if (hessianTimesActivation == null) {
      throw new IllegalStateException("no second derivatives here: this graph is not a layer of a gradient program");
    }
    return hessianTimesActivation.get();
  }

  public GraphBuilder builder() {
    return b;
  }

  private long[] spatialAxes(String t) {
    return GraphBuilder.range(2, b.rank(t));
  }

  /** Mean over the spatial axes, kept as [B, C, 1, ...]. */
  public String meanOverSpace(String t) {
    return b.reduceMean(t, spatialAxes(t), true);
  }

  /** Sum over the spatial axes, kept as [B, C, 1, ...]. */
  public String sumOverSpace(String t) {
    return b.reduceSum(t, spatialAxes(t), true);
  }

  /** Sum over channels: [B, C, *S] to [B, *S]. */
  public String sumChannels(String t) {
    return b.reduceSum(t, new long[] {1}, false);
  }

  public String mul(String x, String y) {
    return b.mul(x, y);
  }

  public String div(String x, String y) {
    return b.div(x, y);
  }

  public String add(String x, String y) {
    return b.add(x, y);
  }

  public String relu(String x) {
    return b.op("Relu", x);
  }

  public String constant(double v, String like) {
    return b.scalarLike(v, like);
  }

  /** x where cond holds, else 0. */
  public String keepWhere(String cond, String x) {
    return b.where(cond, x, b.scalarLike(0, x));
  }

  public String nonZero(String x) {
    return b.op("Not", b.op("Equal", x, b.scalarLike(0, x)));
  }
}
