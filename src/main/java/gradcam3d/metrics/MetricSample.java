package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.MaskTarget;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Target;
import gradcam3d.cam.WholeClassTarget;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.tensor.FloatTensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Everything the metrics read about one explained sample: the input x [1, C, *S]; the final map
 * (cam, in [0, 1]); the method's map m on the input grid (the cam for the Grad-CAM family, the
 * signed map before ReLU for input-space methods); the attribution A [C, *S] (an input-space
 * method's raw attribution, else m on every channel, as Quantus broadcasts a map); the mask the
 * localisation metrics compare with; a scorer of perturbed copies with the target region fixed
 * from the unperturbed prediction; and re-explanation of other inputs, models or classes with the
 * same method and layers. Caches what several metrics share (the unperturbed score, the noisy
 * re-explanations of the robustness metrics).
 */
public final class MetricSample {
  /** The maps of one re-explanation, flattened like the sample's. */
  public record Explained(float[] cam, float[] map, float[] attribution) {}

  /** Re-runs the explanation: {@code model} null for the unchanged model. */
  @FunctionalInterface
  public interface Reexplainer {
    Explanation explain(ModelProto model, FloatTensor x, Target target);
  }

  private final FloatTensor x;
  private final Explanation explanation;
  private final int sample;
  private final float[] cam;
  private final float[] map;
  private final float[] attribution;
  private final float[] mask;
  private final String maskSource;
  private final Supplier<TargetScorer> scorer;
  private final Supplier<TargetScorer> ownTarget;
  private final ModelProto model;
  private final Reexplainer reexplainer;
  private final MetricParams params;
  private final Evaluation.Settings settings;
  private final Progress progress;
  private final Map<String, Object> cache = new HashMap<>();
  private Double unperturbed;

  /**
   * @param x the sample [1, C, *S]
   * @param mask the localisation mask on the input grid (1 inside), or null
   * @param scorer scores perturbed copies as {@link Evaluation.Settings#curveScore} says (opened on first use)
   * @param ownTarget a scorer of the explanation's own target (sum of its score over the region), made on demand
   */
  public MetricSample(ModelProto model, FloatTensor x, Explanation explanation, int sample, float[] mask,
      String maskSource, Supplier<TargetScorer> scorer, Supplier<TargetScorer> ownTarget, Reexplainer reexplainer,
      MetricParams params, Evaluation.Settings settings, Progress progress) {
    this.model = model;
    this.x = x;
    this.explanation = explanation;
    this.sample = sample;
    this.cam = explanation.cam().slice0(sample).data();
    Explained own = maps(explanation, sample);
    this.map = own.map();
    this.attribution = own.attribution();
    this.mask = mask;
    this.maskSource = maskSource;
    this.scorer = scorer;
    this.ownTarget = ownTarget;
    this.reexplainer = reexplainer;
    this.params = params;
    this.settings = settings;
    this.progress = progress == null ? Progress.NONE : progress;
  }

  /** The cam, m and A of sample {@code b} of an explanation (-0 made +0, so orders are NumPy's). */
  public static Explained maps(Explanation e, int b) {
    float[] cam = e.cam().slice0(b).data();
    float[] m = e.attribution() != null ? e.layers().get(0).camLayer().slice0(b).data().clone() : cam.clone();
    for (int i = 0; i < m.length; i++) {
      m[i] += 0f; // -0 + 0 = +0
    }
    float[] a = null;
    if (e.attribution() != null) {
      a = e.attribution().values().slice0(b).data().clone();
      for (int i = 0; i < a.length; i++) {
        a[i] += 0f;
      }
    }
    return new Explained(cam, m, a);
  }

  public FloatTensor x() {
    return x;
  }

  public float[] input() {
    return x.data();
  }

  public int channels() {
    return (int) x.dim(1);
  }

  public int voxels() {
    return x.size() / channels();
  }

  /** Spatial shape of the input grid. */
  public long[] spatial() {
    return Arrays.copyOfRange(x.shape(), 2, x.rank());
  }

  /** The sample's features C * N, and a volume [1, C, *S] made of some. */
  public int features() {
    return x.size();
  }

  public FloatTensor volume(float[] data) {
    return new FloatTensor(data, x.shape());
  }

  public Explanation explanation() {
    return explanation;
  }

  public int sampleIndex() {
    return sample;
  }

  public ModelProto model() {
    return model;
  }

  /** The final map in [0, 1] (N values). */
  public float[] cam() {
    return cam;
  }

  /** The method's map m (N values), as Quantus preprocesses it: |m| if abs, then / max|m| if normalise. */
  public float[] map(boolean abs, boolean normalise) {
    return preprocess(map, abs, normalise);
  }

  /** Whether the method gives a raw attribution (input-space methods), rather than a map. */
  public boolean hasAttribution() {
    return attribution != null;
  }

  /** A (C * N values, channel-major), preprocessed like {@link #map}. */
  public float[] attribution(boolean abs, boolean normalise) {
    return preprocess(broadcast(map, attribution, channels()), abs, normalise);
  }

  /** The raw attribution of an input-space method (C * N values), or null. */
  public float[] rawAttribution() {
    return attribution;
  }

  /** A as the features: the attribution, or the map on every channel. */
  public static float[] broadcast(float[] map, float[] attribution, int channels) {
    if (attribution != null) {
      return attribution;
    }
    float[] a = new float[map.length * channels];
    for (int c = 0; c < channels; c++) {
      System.arraycopy(map, 0, a, c * map.length, map.length);
    }
    return a;
  }

  /** Quantus' abs, then normalise_by_max (divide by max |a|; an all-zero array stays). */
  public static float[] preprocess(float[] a, boolean abs, boolean normalise) {
    float[] out = a.clone();
    if (abs) {
      for (int i = 0; i < out.length; i++) {
        out[i] = Math.abs(out[i]);
      }
    }
    if (normalise) {
      float max = 0;
      for (float v : out) {
        max = Math.max(max, Math.abs(v));
      }
      if (max > 0) {
        for (int i = 0; i < out.length; i++) {
          out[i] = out[i] / max;
        }
      }
    }
    return out;
  }

  /** The localisation mask (1 inside, N values) or null, and where it came from. */
  public float[] mask() {
    return mask;
  }

  public String maskSource() {
    return maskSource;
  }

  public int explainedClass() {
    return explanation.explainedClass(sample);
  }

  public int classes() {
    return (int) explanation.outputShape()[1];
  }

  /** Whether the model segments (a region target) rather than classifies. */
  public boolean segmentation() {
    return explanation.region() != null;
  }

  /** The target region's share of the output grid; NaN for classifiers. */
  public double regionShare() {
    if (explanation.region() == null) {
      return Double.NaN;
    }
    float[] r = explanation.region().slice0(sample).data();
    double n = 0;
    for (float v : r) {
      n += v != 0 ? 1 : 0;
    }
    return n / r.length;
  }

  public Evaluation.Settings settings() {
    return settings;
  }

  public MetricParams params() {
    return params;
  }

  public long seed() {
    return settings.seed();
  }

  /** A stream of random numbers for one metric's purpose and run ({@link SeededRandom#stream}). */
  public SeededRandom random(int purpose, int index) {
    return SeededRandom.stream(settings.seed(), purpose, index);
  }

  public double min() {
    float lo = Float.POSITIVE_INFINITY;
    for (float v : x.data()) {
      lo = Math.min(lo, v);
    }
    return lo;
  }

  public double max() {
    float hi = Float.NEGATIVE_INFINITY;
    for (float v : x.data()) {
      hi = Math.max(hi, v);
    }
    return hi;
  }

  /** The score of the unperturbed sample (scored once, shared). */
  public synchronized double unperturbedScore() {
    if (unperturbed == null) {
      unperturbed = scorer.get().scores(1, j -> x)[0];
    }
    return unperturbed;
  }

  /** The scorer of perturbed copies (the curve score, the fixed target). */
  public TargetScorer scorer() {
    return scorer.get();
  }

  /** Scores {@code count} volumes [1, C, *S] made by {@code volume} (from several threads at once). */
  public double[] scores(int count, IntFunction<FloatTensor> volume) {
    return scorer.get().scores(count, volume);
  }

  /** Scores volumes of flat feature arrays. */
  public double[] scoreFeatures(int count, IntFunction<float[]> features) {
    return scorer.get().scores(count, j -> volume(features.apply(j)));
  }

  /** The scorer of the explanation's own target (the sum of its --score over the region). */
  public TargetScorer ownTargetScorer() {
    return ownTarget.get();
  }

  /** This sample's target with its region (segmentation) or class (classifiers) fixed. */
  public Target fixedTarget() {
    return fixedTarget(explainedClass());
  }

  /** Class k over this sample's fixed region (segmentation), or class k's score (classifiers). */
  public Target fixedTarget(int k) {
    if (explanation.region() == null) {
      return new WholeClassTarget(k);
    }
    return new MaskTarget(k, "the unperturbed prediction's target region", explanation.region().slice0(sample));
  }

  /** The explanation of another input [1, C, *S] with the fixed target, by the same method and layers. */
  public Explained reexplain(FloatTensor input) {
    return reexplain(null, input, fixedTarget());
  }

  /** The explanation by another model (e.g. with randomised weights) or of another target. */
  public Explained reexplain(ModelProto other, FloatTensor input, Target target) {
    if (reexplainer == null) {
      throw new Gradcam3dException("this metric re-runs the explanation, which is not available here");
    }
    Explanation e = reexplainer.explain(other, input, target);
    progress.advance(1);
    return maps(e, 0);
  }

  /** A value several metrics share (computed once). */
  @SuppressWarnings("unchecked")
  public synchronized <T> T shared(String key, Supplier<T> compute) {
    Object v = cache.get(key);
    if (v == null) {
      v = compute.get();
      cache.put(key, v);
    }
    return (T) v;
  }
}
