package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Request;
import gradcam3d.cam.Target;
import gradcam3d.metrics.measures.DeletionInsertion;
import gradcam3d.metrics.measures.MaskAgreementMetric;
import gradcam3d.metrics.measures.Mprt;
import gradcam3d.metrics.measures.Spread;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.Lanes;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.Score;
import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The selected metrics ({@link MetricCatalog}) of one explained batch: per sample each metric's
 * result, with the deletion/insertion curves, the mask agreement (a given label, else the target
 * region when it lies on the input grid) and the spread kept as objects for the chart and the
 * console, and the cascading randomisation check once per batch. Pure library code: the caller
 * explains, this class measures. Before measuring it reports the forward passes and explanation
 * re-runs the selection costs, with an estimated time, through the request's progress.
 *
 * <pre>{@code
 * Evaluation ev = Evaluation.measure(model, request, Map.of("input", x), explanation, null,
 *     Evaluation.Settings.defaults(), RuntimeOptions.defaults());
 * double auc = ev.samples().get(0).curves().deletionAuc();
 * }</pre>
 */
public record Evaluation(List<SampleMetrics> samples, CascadingRandomization.Result sanity, double ms,
    Settings settings, Metric.Cost cost) {

  /**
   * What to measure.
   *
   * @param curves whether the deletion/insertion curves are measured (when selected)
   * @param sanity whether the cascading randomisation check runs (also when "mprt" is selected)
   * @param metrics the --metrics names and groups; the default set when empty
   */
  public record Settings(boolean curves, Baseline baseline, int steps, int randomSeeds, int batchSize,
      boolean sanity, int sanitySteps, long seed, CurveScore curveScore, StepSchedule stepScale,
      List<String> metrics, MetricParams params) {
    public Settings {
      metrics = List.copyOf(metrics);
      params = params == null ? MetricParams.DEFAULTS : params;
    }

    /** The default metrics: probability curves on the geometric scale (21 points, 3 random orders, blur), mask agreement, spread. */
    public static Settings defaults() {
      return new Settings(true, Baseline.BLUR, FaithfulnessCurves.DEFAULT_STEPS,
          FaithfulnessCurves.DEFAULT_RANDOM_SEEDS, gradcam3d.Defaults.BATCH_SIZE, false, Integer.MAX_VALUE,
          gradcam3d.Defaults.SEED, CurveScore.PROBABILITY,
          StepSchedule.GEOMETRIC, List.of(), MetricParams.DEFAULTS);
    }

    public Settings withBaseline(Baseline b) {
      return new Settings(curves, b, steps, randomSeeds, batchSize, sanity, sanitySteps, seed, curveScore, stepScale,
          metrics, params);
    }

    public Settings withSteps(int n) {
      return new Settings(curves, baseline, n, randomSeeds, batchSize, sanity, sanitySteps, seed, curveScore,
          stepScale, metrics, params);
    }

    public Settings withRandomSeeds(int n) {
      return new Settings(curves, baseline, steps, n, batchSize, sanity, sanitySteps, seed, curveScore, stepScale,
          metrics, params);
    }

    public Settings withBatchSize(int n) {
      return new Settings(curves, baseline, steps, randomSeeds, n, sanity, sanitySteps, seed, curveScore, stepScale,
          metrics, params);
    }

    public Settings withSanity(boolean on, int maxSteps) {
      return new Settings(curves, baseline, steps, randomSeeds, batchSize, on, maxSteps, seed, curveScore, stepScale,
          metrics, params);
    }

    public Settings withSeed(long s) {
      return new Settings(curves, baseline, steps, randomSeeds, batchSize, sanity, sanitySteps, s, curveScore,
          stepScale, metrics, params);
    }

    public Settings withCurveScore(CurveScore s) {
      return new Settings(curves, baseline, steps, randomSeeds, batchSize, sanity, sanitySteps, seed, s, stepScale,
          metrics, params);
    }

    public Settings withStepScale(StepSchedule s) {
      return new Settings(curves, baseline, steps, randomSeeds, batchSize, sanity, sanitySteps, seed, curveScore, s,
          metrics, params);
    }

    /** The --metrics selection (names and groups; empty: the default set). */
    public Settings withMetrics(List<String> names) {
      return new Settings(curves, baseline, steps, randomSeeds, batchSize, sanity, sanitySteps, seed, curveScore,
          stepScale, names, params);
    }

    public Settings withParams(MetricParams p) {
      return new Settings(curves, baseline, steps, randomSeeds, batchSize, sanity, sanitySteps, seed, curveScore,
          stepScale, metrics, p);
    }

    /** The metrics that run, in catalog order. */
    public List<Metric> selected() {
      List<Metric> out = new ArrayList<>(MetricCatalog.select(metrics.isEmpty() ? MetricCatalog.DEFAULT : metrics));
      if (!curves) {
        out.removeIf(m -> m instanceof DeletionInsertion);
      }
      if (sanity && out.stream().noneMatch(m -> m instanceof Mprt)) {
        List<Metric> withMprt = new ArrayList<>();
        for (Metric m : MetricCatalog.all()) {
          if (out.contains(m) || m instanceof Mprt) {
            withMprt.add(m);
          }
        }
        return withMprt;
      }
      return out;
    }

    /** Whether the cascading randomisation runs. */
    public boolean runsCascade() {
      return selected().stream().anyMatch(m -> m instanceof Mprt);
    }

    /** Whether any selected metric scores perturbed copies with the curve score (the curves are prepared early then). */
    public boolean scoresCurves() {
      return selected().stream().anyMatch(m -> m instanceof DeletionInsertion);
    }

    /** The score the perturbed copies are scored with. */
    public Score scoring(Request request) {
      return curveScore == CurveScore.PROBABILITY ? Score.PROBABILITIES : request.score();
    }
  }

  /**
   * The metrics of one sample. curves, agreement and complexity are the default metrics' objects
   * (null when not measured or not applicable); {@code results} holds every metric measured, and
   * {@code skipped} why a selected one did not apply.
   */
  public record SampleMetrics(int sample, int explainedClass, FaithfulnessCurves curves, Complexity complexity,
      MaskAgreement agreement, String maskSource, Map<String, Metric.Result> results, Map<String, String> skipped) {
    public SampleMetrics(int sample, int explainedClass, FaithfulnessCurves curves, Complexity complexity,
        MaskAgreement agreement, String maskSource) {
      this(sample, explainedClass, curves, complexity, agreement, maskSource, Map.of(), Map.of());
    }

    /** Every headline number of the sample's metrics (name -> value, NaN when undefined), in catalog order. */
    public Map<String, Double> headline() {
      Map<String, Double> h = new LinkedHashMap<>();
      results.values().forEach(r -> h.putAll(r.headline()));
      return h;
    }
  }

  /**
   * @param labels per sample a mask on the input grid (1 inside), or null to use the target region
   */
  public static Evaluation measure(ModelProto model, Request request, Map<String, FloatTensor> inputs,
      Explanation e, List<FloatTensor> labels, Settings settings, RuntimeOptions options) {
    return measure(model, request, inputs, e, labels, settings, options, null);
  }

  /**
   * Same, with the scoring programs and first baseline volume prepared while the explanation ran
   * ({@link PreparedScoring#start} with the same model, request, input, settings and options;
   * null: prepared here). The caller closes {@code prepared}.
   */
  public static Evaluation measure(ModelProto model, Request request, Map<String, FloatTensor> inputs,
      Explanation e, List<FloatTensor> labels, Settings settings, RuntimeOptions options, PreparedScoring prepared) {
    long t0 = System.nanoTime();
    if (inputs.size() != 1) {
      throw new Gradcam3dException("metrics need a model with a single input");
    }
    FloatTensor x = inputs.values().iterator().next();
    int batch = (int) x.dim(0);
    long[] inSpatial = Arrays.copyOfRange(x.shape(), 2, x.rank());
    long[] outSpatial = Arrays.copyOfRange(e.outputShape(), 2, e.outputShape().length);
    List<Metric> selected = settings.selected();
    Progress progress = request.progress() == null ? Progress.NONE : request.progress();
    // re-runs of the explanation: the same method and layers, without progress bars of their own
    Request quiet = request.toBuilder().keepTensors(false).progress(Progress.NONE).build();
    try (Scoring scoring = new Scoring(model, request, settings, options, prepared);
        Reexplainer again = new Reexplainer(model, quiet, options)) {
      List<MetricSample> samples = new ArrayList<>();
      for (int b = 0; b < batch; b++) {
        FloatTensor sample = x.slice0(b).reshape(withBatchOne(x.shape()));
        float[] mask = null;
        String source = null;
        if (labels != null) {
          mask = labels.get(labels.size() == 1 ? 0 : b).data();
          source = "label";
        } else if (e.region() != null && Arrays.equals(inSpatial, outSpatial)) {
          mask = e.region().slice0(b).data();
          source = "target region";
        }
        int index = b;
        MetricSample s = new MetricSample(model, sample, e, b, mask, source, () -> scoring.curves(e, index),
            () -> scoring.own(e, index), again, settings.params(), settings, progress);
        if (b == 0 && prepared != null && settings.scoresCurves()) {
          s.shared("baseline:" + settings.baseline().label(), () -> prepared.baseline(settings.baseline()));
        }
        samples.add(s);
      }
      Metric.Cost cost = Metric.Cost.FREE;
      for (MetricSample s : samples) {
        boolean scores = false;
        for (Metric m : selected) {
          // the cascade runs once for the whole batch
          if (!(m instanceof Mprt) || s == samples.get(0)) {
            Metric.Cost c = m.cost(s);
            cost = cost.plus(c);
            scores |= c.forwardPasses() > 0 && !(m instanceof DeletionInsertion);
          }
        }
        // the unperturbed score the other perturbation metrics share
        cost = cost.plus(new Metric.Cost(scores ? 1 : 0, 0));
      }
      progress.start(announce(cost, e, options), cost.forwardPasses() + cost.explanations());
      scoring.progress(progress);
      CascadingRandomization.Result sanity = null;
      if (settings.runsCascade()) {
        sanity = CascadingRandomization.run(model, quiet, inputs, e, settings.sanitySteps(), settings.seed(), options);
        progress.advance(sanity.steps().size());
        for (MetricSample s : samples) {
          CascadingRandomization.Result r = sanity;
          s.shared(Mprt.CASCADE, () -> r);
        }
      }
      List<SampleMetrics> out = new ArrayList<>();
      for (MetricSample s : samples) {
        out.add(sample(s, selected));
      }
      progress.finish();
      return new Evaluation(out, sanity, (System.nanoTime() - t0) / 1e6, settings, cost);
    }
  }

  /** "metrics: P forward passes and E explanation re-runs, about T s". */
  private static String announce(Metric.Cost cost, Explanation e, RuntimeOptions options) {
    // a forward pass is about half a forward + backward run; the lanes share the passes
    double passMs = Math.max(1, e.runMs() / 2) / Math.min(1.8, Lanes.count(options.threads()));
    double explainMs = Math.max(1, e.runMs() + e.postMs());
    double seconds = (cost.forwardPasses() * passMs + cost.explanations() * explainMs) / 1000;
    return String.format(Locale.ROOT, "metrics: %d forward passes and %d explanation re-runs, about %.0f s",
        cost.forwardPasses(), cost.explanations(), Math.max(1, seconds));
  }

  /** Every selected metric of one sample; metrics that do not apply are skipped with their reason. */
  private static SampleMetrics sample(MetricSample s, List<Metric> selected) {
    Map<String, Metric.Result> results = new LinkedHashMap<>();
    Map<String, String> skipped = new LinkedHashMap<>();
    for (Metric m : selected) {
      try {
        results.put(m.name(), m.measure(s));
      } catch (NotApplicable n) {
        skipped.put(m.name(), n.getMessage());
      }
    }
    FaithfulnessCurves curves = results.containsKey("deletion-insertion")
        ? s.shared(DeletionInsertion.CURVES, () -> null) : null;
    MaskAgreement agreement = results.containsKey("mask-agreement")
        ? s.shared(MaskAgreementMetric.AGREEMENT, () -> null) : null;
    Complexity complexity = results.containsKey("spread") ? s.shared(Spread.SPREAD, () -> null)
        : Complexity.of(s.cam());
    return new SampleMetrics(s.sampleIndex(), s.explainedClass(), curves, complexity, agreement,
        agreement == null ? null : s.maskSource(), results, skipped);
  }

  /** The scorers of one evaluation: the curve score's programs (opened on first use) and the explanation's own target's. */
  private static final class Scoring implements AutoCloseable {
    private final ModelProto model;
    private final Request request;
    private final Settings settings;
    private final RuntimeOptions options;
    private final PreparedScoring prepared;
    private TargetScorer.Programs curvePrograms;
    private boolean ownCurvePrograms;
    private TargetScorer.Programs ownPrograms;
    private final Map<Integer, TargetScorer> curves = new LinkedHashMap<>();
    private final Map<Integer, TargetScorer> own = new LinkedHashMap<>();
    private Progress progress = Progress.NONE;

    Scoring(ModelProto model, Request request, Settings settings, RuntimeOptions options,
        PreparedScoring prepared) {
      this.model = model;
      this.request = request;
      this.settings = settings;
      this.options = options;
      this.prepared = prepared;
    }

    void progress(Progress p) {
      progress = p;
    }

    synchronized TargetScorer curves(Explanation e, int b) {
      return curves.computeIfAbsent(b, i -> {
        if (curvePrograms == null) {
          if (prepared != null) {
            curvePrograms = prepared.programs();
          } else {
            curvePrograms = TargetScorer.Programs.open(model, request.modelOutput(), settings.scoring(request), options);
            ownCurvePrograms = true;
          }
        }
        boolean mean = settings.curveScore() == CurveScore.PROBABILITY;
        return new TargetScorer(curvePrograms, TargetScorer.fixedSeed(e, i, mean), settings.batchSize())
            .withProgress(progress);
      });
    }

    synchronized TargetScorer own(Explanation e, int b) {
      if (settings.curveScore() == CurveScore.LOGITS) {
        return curves(e, b);
      }
      return own.computeIfAbsent(b, i -> {
        if (ownPrograms == null) {
          ownPrograms = TargetScorer.Programs.open(model, request.modelOutput(), request.score(), options);
        }
        return new TargetScorer(ownPrograms, TargetScorer.fixedSeed(e, i, false), settings.batchSize())
            .withProgress(progress);
      });
    }

    @Override
    public void close() {
      try {
        if (ownCurvePrograms) {
          curvePrograms.close();
        }
      } finally {
        if (ownPrograms != null) {
          ownPrograms.close();
        }
      }
    }
  }

  /** Re-runs the explanation: one explainer for the unchanged model, a fresh one for each other model. */
  private static final class Reexplainer implements MetricSample.Reexplainer, AutoCloseable {
    private final ModelProto model;
    private final Request request;
    private final RuntimeOptions options;
    private Explainer same;

    Reexplainer(ModelProto model, Request request, RuntimeOptions options) {
      this.model = model;
      this.request = request;
      this.options = options;
    }

    @Override
    public synchronized Explanation explain(ModelProto other, FloatTensor x, Target target) {
      Map<String, FloatTensor> in = Map.of("input", x);
      if (other == null) {
        if (same == null) {
          same = new Explainer(model, request, options);
        }
        return same.explain(in, List.of(target));
      }
      try (Explainer ex = new Explainer(other, request, options)) {
        return ex.explain(in, List.of(target));
      }
    }

    @Override
    public void close() {
      if (same != null) {
        same.close();
      }
    }
  }

  private static long[] withBatchOne(long[] shape) {
    long[] s = shape.clone();
    s[0] = 1;
    return s;
  }

  /** The JSON form written under "metrics" in summary.json and in evaluate.json. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("selected", settings.selected().stream().map(Metric::name).toList());
    if (!settings.params().given().isEmpty()) {
      m.put("params", settings.params().given());
    }
    m.put("seed", settings.seed());
    m.put("forward_passes", cost.forwardPasses());
    m.put("explanation_reruns", cost.explanations());
    List<Object> ss = new ArrayList<>();
    for (SampleMetrics s : samples) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("sample", s.sample());
      j.put("class", s.explainedClass());
      for (Map.Entry<String, Metric.Result> r : s.results().entrySet()) {
        j.put(key(r.getKey()), r.getValue().json());
      }
      for (Map.Entry<String, String> r : s.skipped().entrySet()) {
        j.put(key(r.getKey()), Map.of("skipped", r.getValue()));
      }
      Map<String, Object> headline = new LinkedHashMap<>();
      s.headline().forEach((k, v) -> headline.put(k, finite(v)));
      j.put("headline", headline);
      ss.add(j);
    }
    m.put("samples", ss);
    if (sanity != null) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("weighted_layers", sanity.layers());
      List<Object> steps = new ArrayList<>();
      for (CascadingRandomization.Step st : sanity.steps()) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("random_layers", st.randomLayers());
        s.put("down_to", st.lastLayer());
        s.put("spearman", finite(st.spearman()));
        steps.add(s);
      }
      r.put("steps", steps);
      r.put("warning", sanity.warning());
      m.put("randomization", r);
    }
    m.put("ms", ms);
    return m;
  }

  /** The JSON key of a metric: the legacy names of the default three, else the name with underscores. */
  static String key(String metric) {
    return switch (metric) {
      case "deletion-insertion" -> "faithfulness";
      case "mask-agreement" -> "mask_agreement";
      case "spread" -> "complexity";
      case "complexity" -> "complexity_entropy";
      default -> metric.replace('-', '_');
    };
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
