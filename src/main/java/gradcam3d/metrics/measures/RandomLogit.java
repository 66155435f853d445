package gradcam3d.metrics.measures;

import gradcam3d.metrics.Metric;
import gradcam3d.metrics.MetricGroup;
import gradcam3d.metrics.MetricSample;
import gradcam3d.metrics.NotApplicable;
import gradcam3d.metrics.Similarity;

/**
 * Random logit (Sixt et al. 2020; Quantus RandomLogit): the explanation of another class k' (drawn
 * uniformly among the other classes from stream (seed, 10, 0); for segmentation over the same fixed
 * region), compared with this map by SSIM of the flattened maps (both m / max |m|); lower = the map
 * depends on the class, as it should.
 */
public final class RandomLogit implements Metric {
  static final int STREAM = 10;

  @Override
  public String name() {
    return "random-logit";
  }

  @Override
  public MetricGroup group() {
    return MetricGroup.RANDOMISATION;
  }

  @Override
  public String definition() {
    return "SSIM between the map and the map of a random other class over the same region (Sixt et al. 2020); "
        + "lower is better";
  }

  @Override
  public Cost cost(MetricSample s) {
    return new Cost(0, s.classes() > 1 ? 1 : 0);
  }

  /** The other class: uniform among the K - 1 classes that are not k. */
  static int otherClass(MetricSample s) {
    int k = s.explainedClass();
    int j = s.random(STREAM, 0).nextInt(s.classes() - 1);
    return j < k ? j : j + 1;
  }

  @Override
  public Result measure(MetricSample s) {
    if (s.classes() < 2) {
      throw new NotApplicable("the model has one output channel: there is no other class to explain");
    }
    int other = otherClass(s);
    float[] m = s.map(false, true);
    float[] o = MetricSample.preprocess(s.reexplain(null, s.x(), s.fixedTarget(other)).map(), false, true);
    double ssim = Similarity.ssim(m, o);
    return new Result(Measures.json("ssim", ssim, "other_class", other), Measures.headline("random_logit", ssim));
  }
}
