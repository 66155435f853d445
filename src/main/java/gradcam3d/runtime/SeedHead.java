package gradcam3d.runtime;

import gradcam3d.autodiff.ScalarHead;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.onnx.Attributes;
import gradcam3d.onnx.DataTypes;
import java.util.Arrays;
import java.util.List;

/**
 * The scalar the engine differentiates: T = sum(seed_eff * score(output)), with the seed fed at
 * run time so one compiled program serves every target.
 *
 * <p>Run-time inputs: {@value #SEED} [B, K, *S] float (per-class, per-voxel weights) and
 * {@value #GATE} [B, K] float: where 1, the seed of class k is further multiplied by the model's
 * own predicted mask of k (argmax over classes), so "class k where the model predicts k" needs
 * one run. Outputs: {@value #TARGET} [B] (T per sample), {@value #REGION} [B, K] (voxels with a
 * non-zero effective seed), {@value #PREDICTED} [B, K] (voxels the model predicts as each class)
 * and, for callers that add it, {@value #EFFECTIVE_SEED} (the seed after gating).
 *
 * <p>With a {@link Contrast} the seed weights the contrast's per-voxel score instead of the class
 * scores: T = sum(seed_eff * contrast(output, seed_eff)).
 *
 * <p>Ungated ({@link #ungated}), for programs whose every target has its gate off (the windows of a
 * sliding-window explanation: their region is fixed on the blended prediction): no {@value #GATE}
 * input, the effective seed is the seed itself, and neither the model's predicted mask nor
 * {@value #PREDICTED} is computed (an ArgMax and a comparison over the whole output, about 3% of
 * a window's backward program; docs/benchmarks.md).
 */
public final class SeedHead implements ScalarHead {
  public static final String SEED = "gc3d_seed";
  public static final String GATE = "gc3d_gate";
  public static final String TARGET = "gc3d_target";
  public static final String REGION = "gc3d_region_voxels";
  public static final String PREDICTED = "gc3d_predicted_voxels";
  public static final String EFFECTIVE_SEED = "gc3d_effective_seed";

  /** The outputs every program with this head returns (an ungated one: {@link #outputs}). */
  public static final List<String> OUTPUTS = List.of(TARGET, REGION, PREDICTED);

  /**
   * A score per voxel other than the class's own, read with the seed (e.g. Finer-CAM's contrast of
   * the target class with its nearest classes). Its gradient is taken through it exactly.
   */
  public interface Contrast {
    /**
     * Appends the score: {@code output} the model output as float [B, K, *S] (or [B, K]),
     * {@code effectiveSeed} the gated seed of the same shape (non-zero at the target's class and
     * region only; a constant of the gradient). Returns [B, K, *S] or [B, 1, *S] (the same score
     * for every class), which the seed weights.
     */
    String scores(GraphBuilder b, String output, String effectiveSeed);

    /** The contrast and its parameters, for program cache keys. */
    String key();
  }

  private final Score score;
  private final Contrast contrast;
  private final boolean gated;

  public SeedHead(Score score) {
    this(score, null);
  }

  /** A head whose seed weights {@code contrast}'s score (null: the class scores). */
  public SeedHead(Score score, Contrast contrast) {
    this(score, contrast, true);
  }

  private SeedHead(Score score, Contrast contrast, boolean gated) {
    this.score = score;
    this.contrast = contrast;
    this.gated = gated;
  }

  /** The same head without the predicted-mask gate (see above). */
  public SeedHead ungated() {
    return new SeedHead(score, contrast, false);
  }

  /** The outputs a program with this head returns. */
  public List<String> outputs() {
    return gated ? OUTPUTS : List.of(TARGET, REGION);
  }

  @Override
  public String append(GraphBuilder b, String output, long[] os) {
    int r = os.length;
    long batch = os[0];
    long classes = os[1];
    String out = b.cast(output, DataTypes.FLOAT);
    String seed = b.input(SEED, DataTypes.FLOAT, os);
    if (!gated) {
      b.opNamed("Identity", List.of(seed), List.of(EFFECTIVE_SEED));
      return target(b, out, seed, r);
    }
    String gate = b.input(GATE, DataTypes.FLOAT, new long[] {batch, classes});
    long[] bk = new long[r];
    Arrays.fill(bk, 1);
    bk[0] = batch;
    bk[1] = classes;
    // predicted one-hot: argmax over classes == k
    String argmax = b.op("ArgMax", out, Attributes.of("axis", 1L), Attributes.of("keepdims", 1L));
    long[] classIds = new long[(int) classes];
    for (int k = 0; k < classes; k++) {
      classIds[k] = k;
    }
    long[] ks = new long[r];
    Arrays.fill(ks, 1);
    ks[1] = classes;
    String ids = b.reshape(b.constLongs(classIds), ks);
    String predicted = b.cast(b.op("Equal", argmax, ids), DataTypes.FLOAT);
    String gateB = b.reshape(gate, bk);
    String factor = b.add(b.mul(gateB, predicted), b.sub(b.scalar(1), gateB));
    String effective = b.mul(seed, factor);
    b.opNamed("Identity", List.of(effective), List.of(EFFECTIVE_SEED));
    b.opNamed("Identity", List.of(r > 2 ? b.reduceSum(predicted, GraphBuilder.range(2, r), false) : predicted),
        List.of(PREDICTED));
    return target(b, out, effective, r);
  }

  /** T per sample and the region counts from the effective seed; returns T summed over the batch. */
  private String target(GraphBuilder b, String out, String effective, int r) {
    String scored = contrast == null ? scored(b, out, score) : contrast.scores(b, out, effective);
    long[] rest = GraphBuilder.range(1, r);
    String perSample = b.reduceSum(b.mul(effective, scored), rest, false);
    b.opNamed("Identity", List.of(perSample), List.of(TARGET));
    String nonzero = b.cast(b.op("Greater", b.op("Abs", effective), b.scalar(0)), DataTypes.FLOAT);
    String counts = b.reduceSum(nonzero, GraphBuilder.range(2, r), false);
    b.opNamed("Identity", List.of(counts), List.of(REGION));
    return b.reduceSum(perSample, new long[] {0}, false);
  }

  /** The scores a target sums: the output itself, or softmax over classes (sigmoid for one). */
  public static String scored(GraphBuilder b, String output, Score score) {
    String out = b.cast(output, DataTypes.FLOAT);
    if (score == Score.LOGITS) {
      return out;
    }
    return b.shape(out)[1] == 1 ? b.op("Sigmoid", out) : b.op("Softmax", out, Attributes.of("axis", 1L));
  }
}
