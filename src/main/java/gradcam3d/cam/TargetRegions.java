package gradcam3d.cam;

import gradcam3d.Gradcam3dException;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.SeedHead;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a run says about its targets, shared by the explainer and the methods with their own flow:
 * each sample's target, its region's size (an empty region fails with the target's own message)
 * and the region itself, and the explanation assembled around the maps.
 */
public final class TargetRegions {
  private TargetRegions() {}

  /** The target of each of {@code batch} samples: the only one, or one per sample. */
  public static List<Target> perSample(List<Target> targets, long batch) {
    List<Target> perSample = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      perSample.add(targets.size() == 1 ? targets.get(0) : targets.get(b));
    }
    return perSample;
  }

  /**
   * The explanation of a run: its target values, region sizes, predicted voxels and (segmentation)
   * region, around the maps the method made.
   */
  public static Explanation explanation(GradientEngine.Result r, List<Target> perSample, long[] os,
      List<Explanation.LayerMap> layers, double postMs, Explanation.Attribution attribution,
      Explanation.Extras extras) {
    return explanation(r, perSample, os, layers, r.runMs(), postMs, attribution, extras);
  }

  /**
   * The same for a window of a sliding-window explanation: no region (the whole volume's is made
   * from the blended prediction), no predicted voxels (an ungated program counts none) and, from a
   * program without it ({@link GradientEngine.Config.Builder#withoutTargetValue}), no target value.
   */
  public static Explanation windowExplanation(GradientEngine.Result r, List<Target> perSample, long[] os,
      List<Explanation.LayerMap> layers, double postMs, Explanation.Attribution attribution) {
    return new Explanation(layers, null, r.has(SeedHead.TARGET) ? r.targetValues() : null, voxels(r, perSample, os),
        predicted(r), null, perSample, os, r.compileStats(), r.runMs(), postMs, attribution, null);
  }

  /** The same, for a method that ran several programs taking {@code runMs} in all. */
  public static Explanation explanation(GradientEngine.Result r, List<Target> perSample, long[] os,
      List<Explanation.LayerMap> layers, double runMs, double postMs, Explanation.Attribution attribution,
      Explanation.Extras extras) {
    return new Explanation(layers, null, r.targetValues(), voxels(r, perSample, os), predicted(r),
        region(r.floats(SeedHead.EFFECTIVE_SEED), perSample, os), perSample, os, r.compileStats(), runMs, postMs,
        attribution, extras);
  }

  /** Each sample's target region on the output grid [B, *So] (1 inside), or null for classifiers. */
  public static FloatTensor region(FloatTensor effectiveSeed, List<Target> targets, long[] os) {
    if (os.length <= 2) {
      return null;
    }
    int batch = (int) os[0];
    int classes = (int) os[1];
    long[] spatial = Arrays.copyOfRange(os, 2, os.length);
    int voxels = (int) Shapes.numel(spatial);
    float[] e = effectiveSeed.data();
    float[] out = new float[batch * voxels];
    for (int b = 0; b < batch; b++) {
      int k = targets.get(b).classIndex();
      for (int v = 0; v < voxels; v++) {
        out[b * voxels + v] = e[(b * classes + k) * voxels + v] != 0 ? 1f : 0f;
      }
    }
    return new FloatTensor(out, Shapes.concat(new long[] {batch}, spatial));
  }

  /** The voxels predicted per class [B, K], or null when the program counts none (ungated). */
  private static FloatTensor predicted(GradientEngine.Result r) {
    return r.has(SeedHead.PREDICTED) ? r.predictedVoxels() : null;
  }

  /** Voxels in each sample's target region. */
  public static long[] voxels(GradientEngine.Result r, List<Target> targets, long[] os) {
    float[] region = r.regionVoxels().data();
    int classes = (int) os[1];
    long[] out = new long[targets.size()];
    for (int b = 0; b < out.length; b++) {
      out[b] = targets.get(b).regionVoxels(region, b, classes);
    }
    return out;
  }

  /** Fails with the target's message when a sample's region is empty (naming the classes predicted there). */
  public static void check(GradientEngine.Result r, List<Target> targets, long[] os) {
    // a NaN output (NaN weights, an overflow) predicts no class: say that, not that a class is absent
    // (a window's program may return no value: its scores were checked when they were blended)
    float[] values = r.has(SeedHead.TARGET) ? r.targetValues().data() : new float[0];
    for (int b = 0; b < values.length; b++) {
      if (!Float.isFinite(values[b])) {
        throw new Gradcam3dException("the model's output is " + (Float.isNaN(values[b]) ? "NaN" : "infinite")
            + (os[0] > 1 ? " in sample " + b : "") + " for target '" + targets.get(b).spec() + "' (the input is "
            + "finite): check the model's weights and that the input is what the model expects");
      }
    }
    long[] counts = voxels(r, targets, os);
    FloatTensor counted = predicted(r);
    float[] predicted = counted == null ? null : counted.data();
    int classes = (int) os[1];
    for (int b = 0; b < counts.length; b++) {
      if (counts[b] > 0) {
        continue;
      }
      throw emptyRegion(targets.get(b), os[0] > 1 ? " in sample " + b : "", predicted, b, classes);
    }
  }

  /**
   * The error for target {@code t}'s empty region, in the target's own words ({@link Target#emptyRegion}),
   * naming the classes predicted in sample {@code b} ({@code predicted}: voxels per class [B, K], or null).
   */
  public static Gradcam3dException emptyRegion(Target t, String where, float[] predicted, int b, int classes) {
    return new Gradcam3dException(t.emptyRegion(where, predicted == null ? "" : predictedClasses(predicted, b,
        classes)));
  }

  /**
   * The classes the model predicts in sample {@code b} with their voxel counts, e.g. "0 (4090 voxels),
   * 2 (6 voxels)", from the counts per class [B, K]: what {@link Target#emptyRegion} names.
   */
  public static String predictedClasses(float[] predicted, int b, int classes) {
    StringBuilder present = new StringBuilder();
    for (int k = 0; k < classes; k++) {
      long n = Math.round(predicted[b * classes + k]);
      if (n > 0) {
        present.append(present.length() == 0 ? "" : ", ").append(k).append(" (").append(n).append(" voxels)");
      }
    }
    return present.toString();
  }
}
