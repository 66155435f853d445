package gradcam3d.cam;

import gradcam3d.graph.LayerResolver.Layer;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.tensor.FloatTensor;
import java.util.List;
import java.util.Map;

/**
 * The result of one explained batch: per layer the map at layer resolution (before ReLU) and the
 * map on the input grid (after the resize stage: ReLU-ed and resized, not normalised; after
 * {@link Normalise}: the final map in [0, 1]), the aggregate of the final maps (null before
 * normalisation), and what the target was: its value and region
 * size per sample, the voxels predicted per class, and (segmentation) the region itself [B, *So] (null
 * when a whole-volume run leaves a predicted class's region to its segmentation:
 * the windowed result's region(); the explanation of one window has neither region nor predicted
 * voxels, {@link Request.Builder#windowed});
 * for input-space methods also the raw attribution (else null); for methods with results of their
 * own (Deep Feature Factorization's concepts) those (else null).
 */
public record Explanation(List<LayerMap> layers, FloatTensor cam, FloatTensor targetValues,
    long[] regionVoxels, FloatTensor predictedVoxels, FloatTensor region, List<Target> targets, long[] outputShape,
    GradientEngine.CompileStats compileStats, double runMs, double postMs, Attribution attribution, Extras extras,
    Relevance relevance) {

  /** Without LRP's relevance sums. */
  public Explanation(List<LayerMap> layers, FloatTensor cam, FloatTensor targetValues, long[] regionVoxels,
      FloatTensor predictedVoxels, FloatTensor region, List<Target> targets, long[] outputShape,
      GradientEngine.CompileStats compileStats, double runMs, double postMs, Attribution attribution, Extras extras) {
    this(layers, cam, targetValues, regionVoxels, predictedVoxels, region, targets, outputShape, compileStats, runMs,
        postMs, attribution, extras, null);
  }

  /** Without results of the method's own. */
  public Explanation(List<LayerMap> layers, FloatTensor cam, FloatTensor targetValues, long[] regionVoxels,
      FloatTensor predictedVoxels, FloatTensor region, List<Target> targets, long[] outputShape,
      GradientEngine.CompileStats compileStats, double runMs, double postMs, Attribution attribution) {
    this(layers, cam, targetValues, regionVoxels, predictedVoxels, region, targets, outputShape, compileStats, runMs,
        postMs, attribution, null);
  }

  /** The same explanation with the target's region {@code region} [B, *So] (the one a whole-volume run left out). */
  public Explanation withRegion(FloatTensor region) {
    return new Explanation(layers, cam, targetValues, regionVoxels, predictedVoxels, region, targets, outputShape,
        compileStats, runMs, postMs, attribution, extras, relevance);
  }

  /**
   * LRP's conservation, per sample: the relevance the sweep started from at the output
   * ({@code starting}: the seed's sum, or T when it starts from the logits) and the relevance that
   * arrived ({@code arrived[k]}: summed over the input (the attribution) for a layer-free run, else
   * over layer k's tensor). The relevance itself is the attribution, or each layer's gradient.
   */
  public record Relevance(double[] starting, double[][] arrived) {
    /** arrived / starting for place k and sample b. */
    public double ofStarting(int k, int b) {
      return arrived[k][b] / starting[b];
    }
  }

  /**
   * A method's results beyond the map: named stacks of final maps [B, K, *S] on the input grid, each
   * in [0, 1] (written as NAME.npy, as a 4-D NAME.nii.gz for NIfTI inputs, and shown one by one in
   * report.html), and summary.json entries under the method's name.
   */
  public record Extras(Map<String, FloatTensor> maps, Map<String, Object> summary) {
    public Extras {
      maps = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(maps));
      summary = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(summary));
    }
  }

  /**
   * An input-space method's raw signed attribution [B, C, *S] and, for integrated gradients, the
   * completeness gap per sample: (sum(attribution) - (T(x) - T(baseline))) / |T(x)| (else null);
   * further arrays the method reports by name (written as NAME.npy, e.g. occlusion's
   * "sensitivity"), and what its extra forward passes cost (null for none).
   */
  public record Attribution(FloatTensor values, double[] completenessGap, Map<String, FloatTensor> arrays,
      Cost cost) {
    public Attribution {
      arrays = Map.copyOf(arrays);
    }

    public Attribution(FloatTensor values, double[] completenessGap) {
      this(values, completenessGap, Map.of(), null);
    }
  }

  /**
   * The forward passes a method ran beyond the explanation's own (summed over samples), their
   * seconds, and the method's parameters as it used them, reported under {@code method} in
   * summary.json.
   */
  public record Cost(String method, long forwardPasses, double seconds, Map<String, Object> parameters) {
    public Cost {
      parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
    }
  }

  /**
   * One layer: cam_layer [B, *Sl], cam [B, *S]; activation and gradient when kept; channel
   * weights [B][C] of the perturbation methods; whether gradient channel means are noise
   * ({@link Conditioning}; null for methods without gradients).
   */
  public record LayerMap(Layer layer, long[] shape, FloatTensor camLayer, FloatTensor cam,
      FloatTensor activation, FloatTensor gradient, float[][] channelWeights, Boolean weightsIllConditioned) {}

  /** Whether any layer's Grad-CAM weights are ill-conditioned ({@link Conditioning}). */
  public boolean weightsIllConditioned() {
    return layers.stream().anyMatch(l -> Boolean.TRUE.equals(l.weightsIllConditioned()));
  }

  /** The same explanation with other maps; {@code extraPostMs} adds to the post-processing time. */
  /** The same explanation with LRP's relevance sums. */
  public Explanation withRelevance(Relevance r) {
    return new Explanation(layers, cam, targetValues, regionVoxels, predictedVoxels, region, targets, outputShape,
        compileStats, runMs, postMs, attribution, extras, r);
  }

  public Explanation withMaps(List<LayerMap> newLayers, FloatTensor newCam, double extraPostMs) {
    return new Explanation(newLayers, newCam, targetValues, regionVoxels, predictedVoxels, region, targets,
        outputShape, compileStats, runMs, postMs + extraPostMs, attribution, extras, relevance);
  }

  /** For each sample, the class whose score was explained. */
  public int explainedClass(int sample) {
    return targets.get(sample).explainedClass(predictedVoxels.data(), sample, (int) outputShape[1]);
  }
}
