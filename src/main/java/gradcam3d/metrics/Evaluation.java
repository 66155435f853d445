package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every metric of one explained batch: per sample the deletion/insertion curves, complexity and
 * agreement with a mask (a given label, else the target region when it lies on the input grid),
 * and optionally the cascading randomisation check. Pure library code: the caller explains, this
 * class measures.
 *
 * <pre>{@code
 * Evaluation ev = Evaluation.measure(model, request, Map.of("input", x), explanation, null,
 *     Evaluation.Settings.defaults(), RuntimeOptions.defaults());
 * double auc = ev.samples().get(0).curves().deletionAuc();
 * }</pre>
 */
public record Evaluation(List<SampleMetrics> samples, CascadingRandomization.Result sanity, double ms) {

  /** What to measure. */
  public record Settings(boolean curves, Baseline baseline, int steps, int randomSeeds, int batchSize,
      boolean sanity, int sanitySteps, long seed) {
    public static Settings defaults() {
      return new Settings(true, Baseline.BLUR, FaithfulnessCurves.DEFAULT_STEPS,
          FaithfulnessCurves.DEFAULT_RANDOM_SEEDS, 8, false, Integer.MAX_VALUE, 0);
    }

    public Settings withBaseline(Baseline b) {
      return new Settings(curves, b, steps, randomSeeds, batchSize, sanity, sanitySteps, seed);
    }

    public Settings withSteps(int n) {
      return new Settings(curves, baseline, n, randomSeeds, batchSize, sanity, sanitySteps, seed);
    }

    public Settings withRandomSeeds(int n) {
      return new Settings(curves, baseline, steps, n, batchSize, sanity, sanitySteps, seed);
    }

    public Settings withBatchSize(int n) {
      return new Settings(curves, baseline, steps, randomSeeds, n, sanity, sanitySteps, seed);
    }

    public Settings withCurves(boolean on) {
      return new Settings(on, baseline, steps, randomSeeds, batchSize, sanity, sanitySteps, seed);
    }

    public Settings withSanity(boolean on, int maxSteps) {
      return new Settings(curves, baseline, steps, randomSeeds, batchSize, on, maxSteps, seed);
    }
  }

  /** The metrics of one sample; curves and agreement may be null (not asked / no mask). */
  public record SampleMetrics(int sample, int explainedClass, FaithfulnessCurves curves, Complexity complexity,
      MaskAgreement agreement, String maskSource) {}

  /**
   * @param labels per sample a mask on the input grid (1 inside), or null to use the target region
   */
  public static Evaluation measure(ModelProto model, Explainer.Request request, Map<String, FloatTensor> inputs,
      Explanation e, List<FloatTensor> labels, Settings settings, RuntimeOptions options) {
    return measure(model, request, inputs, e, labels, settings, options, null);
  }

  /**
   * Same, with the scoring programs and first baseline volume prepared while the explanation ran
   * ({@link PreparedScoring#start} with the same model, request, input, settings and options;
   * null: prepared here). The caller closes {@code prepared}.
   */
  public static Evaluation measure(ModelProto model, Explainer.Request request, Map<String, FloatTensor> inputs,
      Explanation e, List<FloatTensor> labels, Settings settings, RuntimeOptions options, PreparedScoring prepared) {
    long t0 = System.nanoTime();
    if (inputs.size() != 1) {
      throw new Gradcam3dException("metrics need a model with a single input");
    }
    FloatTensor x = inputs.values().iterator().next();
    int batch = (int) x.dim(0);
    long[] inSpatial = Arrays.copyOfRange(x.shape(), 2, x.rank());
    long[] outSpatial = Arrays.copyOfRange(e.outputShape(), 2, e.outputShape().length);
    List<SampleMetrics> out = new ArrayList<>();
    // one set of scoring sessions for every sample; each sample scores with its own fixed seed
    TargetScorer.Programs own = settings.curves() && prepared == null
        ? TargetScorer.Programs.open(model, request.modelOutput(), request.score(), options) : null;
    TargetScorer.Programs programs = own != null ? own : settings.curves() ? prepared.programs() : null;
    try {
      for (int b = 0; b < batch; b++) {
        out.add(sample(b, x, e, labels, settings, programs, b == 0 && prepared != null ? prepared : null,
            inSpatial, outSpatial));
      }
    } finally {
      if (own != null) {
        own.close();
      }
    }
    CascadingRandomization.Result sanity = null;
    if (settings.sanity()) {
      // one explanation per step, without progress bars
      Explainer.Request quiet = new Explainer.Request(request.layers(), request.method(), request.targets(),
          request.modelOutput(), request.score(), request.keepTensors(), request.batchSize(),
          gradcam3d.cam.Progress.NONE);
      sanity = CascadingRandomization.run(model, quiet, inputs,
          e, settings.sanitySteps(), settings.seed(), options);
    }
    return new Evaluation(out, sanity, (System.nanoTime() - t0) / 1e6);
  }

  /** Curves, agreement and complexity of sample b's map. */
  private static SampleMetrics sample(int b, FloatTensor x, Explanation e, List<FloatTensor> labels, Settings settings,
      TargetScorer.Programs programs, PreparedScoring prepared, long[] inSpatial, long[] outSpatial) {
    float[] map = e.cam().slice0(b).data();
    FloatTensor sample = x.slice0(b).reshape(withBatchOne(x.shape()));
    FaithfulnessCurves curves = null;
    if (settings.curves()) {
      try (TargetScorer scorer = new TargetScorer(programs, TargetScorer.fixedSeed(e, b), settings.batchSize())) {
        FloatTensor base = prepared != null ? prepared.baseline(settings.baseline()) : null;
        curves = FaithfulnessCurves.measure(scorer, sample, map, settings.baseline(), base, settings.steps(),
            settings.randomSeeds());
      }
    }
    MaskAgreement agreement = null;
    String source = null;
    if (labels != null) {
      agreement = MaskAgreement.of(map, labels.get(labels.size() == 1 ? 0 : b).data());
      source = "label";
    } else if (e.region() != null && Arrays.equals(inSpatial, outSpatial)) {
      agreement = MaskAgreement.of(map, e.region().slice0(b).data());
      source = "target region";
    }
    return new SampleMetrics(b, e.explainedClass(b), curves, Complexity.of(map), agreement, source);
  }

  private static long[] withBatchOne(long[] shape) {
    long[] s = shape.clone();
    s[0] = 1;
    return s;
  }

  /** The JSON form written under "metrics" in summary.json and in evaluate.json. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    List<Object> ss = new ArrayList<>();
    for (SampleMetrics s : samples) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("sample", s.sample());
      j.put("class", s.explainedClass());
      if (s.curves() != null) {
        FaithfulnessCurves c = s.curves();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("baseline", c.baseline().label());
        if (c.baseline() == Baseline.BLUR) {
          f.put("blur_sigma_voxels", Baseline.SIGMA);
          f.put("blur_truncate_sigmas", Baseline.TRUNCATE);
        }
        f.put("steps", c.fractions().length);
        f.put("unperturbed_score", c.unperturbedScore());
        f.put("baseline_score", c.baselineScore());
        f.put("deletion_auc", c.deletionAuc());
        f.put("insertion_auc", c.insertionAuc());
        f.put("random_seeds", c.randomSeeds());
        f.put("random_deletion_auc", finite(c.randomDeletionAuc()));
        f.put("random_insertion_auc", finite(c.randomInsertionAuc()));
        f.put("fractions", c.fractions());
        f.put("deletion", c.deletion());
        f.put("insertion", c.insertion());
        if (c.randomSeeds() > 0) {
          f.put("random_deletion", c.randomDeletion());
          f.put("random_insertion", c.randomInsertion());
        }
        j.put("faithfulness", f);
      }
      j.put("complexity", Map.of("mean", s.complexity().mean(),
          "fraction_above_0.5", s.complexity().fractionAboveHalf()));
      if (s.agreement() != null) {
        MaskAgreement a = s.agreement();
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("mask", s.maskSource());
        g.put("mass_inside", finite(a.massInside()));
        g.put("mask_share", a.maskShare());
        g.put("mass_inside_over_mask_share", finite(a.concentration()));
        g.put("peak_inside", a.peakInside());
        g.put("otsu_threshold", a.otsuThreshold());
        Map<String, Object> levels = new LinkedHashMap<>();
        a.overlaps().forEach((k, o) -> {
          Map<String, Object> l = new LinkedHashMap<>();
          l.put("threshold", o.threshold());
          l.put("iou", finite(o.iou()));
          l.put("ioa", finite(o.ioa()));
          levels.put(k, l);
        });
        g.put("thresholds", levels);
        j.put("mask_agreement", g);
      }
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

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
