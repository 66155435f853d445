package gradcam3d.cam;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Labels;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What the explanation explains: a score T read from the model output. One small class per kind:
 * <ul>
 *   <li>segmentation: the sum of class-c scores over a region: the voxels the model predicts as c
 *       ({@link PredictedClassTarget}, the default), a mask ({@link MaskTarget}), a box
 *       ({@link BoxTarget}), one voxel ({@link VoxelTarget}) or the whole volume
 *       ({@link WholeClassTarget});</li>
 *   <li>classification: the score of a class, or of each sample's top class ({@link ArgmaxTarget}).</li>
 * </ul>
 * Each kind parses, checks itself against the model output, writes its seed (per-class, per-voxel
 * weights and the predicted-mask gate the compiled graph reads) and describes itself. A target
 * has a region over a whole grid ({@link #region}) and can be restricted to a window of the
 * output grid and weighted there ({@link #restrict}): the one way sliding windows explain a
 * large volume window by window (a predicted-class target first fixed on the blended
 * prediction, {@link #onPrediction}).
 *
 * <p>Spelled {@code 2}, {@code 2:mask=FILE}, {@code 2:box=z0,y0,x0,z1,y1,x1} (ends exclusive),
 * {@code 2:voxel=z,y,x}, {@code 2:all}, {@code argmax}; coordinates in tensor axis order.
 */
public sealed interface Target permits PredictedClassTarget, MaskTarget, BoxTarget, VoxelTarget, WholeClassTarget,
    ArgmaxTarget, WindowedTarget {

  String FORMS = "CLASS, CLASS:mask=FILE, CLASS:box=z0,y0,x0,z1,y1,x1, CLASS:voxel=z,y,x, CLASS:all or argmax";

  /** The class explained, or -1 when each sample's top class is (argmax). */
  int classIndex();

  /** The text form, as parsed. */
  String spec();

  /** In words, for reports. */
  String describe();

  /** Fails with a specific message when this target does not fit the model output [B, K, *S]. */
  void check(long[] outputShape);

  /**
   * Writes this target's seed for sample {@code b}: {@code weights} [B, K, *S] (zero on entry),
   * {@code gate} [B, K] (1 where the seed is further multiplied by the model's predicted mask).
   */
  void writeSeed(float[] weights, float[] gate, int b, long[] outputShape);

  /**
   * The message when this target's region turned out empty in a sample ({@code where}: " in
   * sample b" or ""; {@code predicted}: the classes the model predicts there, with voxel counts).
   */
  default String emptyRegion(String where, String predicted) {
    return "the target region of '" + spec() + "' is empty" + where;
  }

  /** Maps a voxel of the scan's grid (tensor-order index) to the model's grid. */
  @FunctionalInterface
  interface IndexMap {
    long[] toModel(long[] scanIndex);
  }

  /** Whether this target names places of the grid (a mask, a box, a voxel): they must follow the scan onto the model's grid. */
  default boolean placedOnGrid() {
    return maskFile() != null;
  }

  /**
   * This target with its places given on the scan's grid ({@code scanShape}, tensor order) moved
   * onto the model's grid ({@link #placedOnGrid}); a mask moves when it is read. Others as they are.
   */
  default Target onModelGrid(IndexMap map, long[] scanShape) {
    return this;
  }

  /** The mask file this target reads, or null. */
  default String maskFile() {
    return null;
  }

  /** Reads a target's mask file on the model output grid. */
  @FunctionalInterface
  interface MaskReader {
    FloatTensor read(String file);
  }

  /** This target ready to seed: a mask target with its file read, others as they are. */
  default Target resolve(MaskReader reader) {
    return this;
  }

  /** A mask target with its mask [*S] or [B, *S] given; other kinds have no mask. */
  default Target withMask(FloatTensor mask) {
    throw new IllegalStateException("target '" + spec() + "' has no mask");
  }

  /**
   * This target within a window of the output grid ({@code start}, {@code size} per spatial axis),
   * in the window's coordinates; empty when the window misses the target's region.
   */
  Optional<Target> restrictTo(long[] start, long[] size);

  /**
   * This target within a window, its seed multiplied by {@code weight} (the window's spatial
   * shape, e.g. a Gaussian importance map; null for none); empty when the window misses it.
   */
  default Optional<Target> restrict(long[] start, long[] size, FloatTensor weight) {
    return restrictTo(start, size).map(t -> weight == null ? t : new WindowedTarget(t, weight));
  }

  /**
   * This target's region over a whole grid of {@code spatial} voxels, 1 inside (sliding windows);
   * {@code segmentation}, the class predicted at each voxel, is read only by the kind whose region
   * the prediction decides ({@link #regionFromPrediction}). Classifier targets have none.
   */
  default float[] region(Labels segmentation, long[] spatial) {
    throw new Gradcam3dException(Setting.TARGET, "target '" + spec() + "' is for classifiers; sliding windows "
        + "explain segmentations: choose a class, e.g. " + Setting.TARGET.label() + " 1");
  }

  /** Whether the model's prediction decides this target's region (else {@link #region} needs no segmentation). */
  default boolean regionFromPrediction() {
    return false;
  }

  /**
   * This target with its region fixed to {@code region} (1 inside, over the grid it is restricted
   * on), the region {@link #region} gave from a whole-volume prediction: a predicted-class target
   * becomes that mask, so that its windows follow the blended prediction, not their own. Others
   * as they are.
   */
  default Target onPrediction(FloatTensor region) {
    return this;
  }

  /** Voxels in a sample's region, from the graph's per-class region counts [B, K]. */
  default long regionVoxels(float[] regionCounts, int b, int classes) {
    return Math.round(regionCounts[b * classes + classIndex()]);
  }

  /** The class explained in a sample, given the voxels predicted per class [B, K]. */
  default int explainedClass(float[] predicted, int b, int classes) {
    return classIndex();
  }

  static Target parse(String text) {
    String t = text.trim();
    if (t.equalsIgnoreCase("argmax")) {
      return new ArgmaxTarget();
    }
    String cls = t.contains(":") ? t.substring(0, t.indexOf(':')) : t;
    String rest = t.contains(":") ? t.substring(t.indexOf(':') + 1) : "";
    int k;
    try {
      k = Integer.parseInt(cls.trim());
    } catch (NumberFormatException e) {
      throw new gradcam3d.OptionValueException("target '" + text + "' does not start with a class number; use " + FORMS);
    }
    if (k < 0) {
      throw new gradcam3d.OptionValueException("target class " + k + " is negative");
    }
    if (rest.isEmpty()) {
      return new PredictedClassTarget(k);
    }
    if (rest.equals("all")) {
      return new WholeClassTarget(k);
    }
    if (rest.startsWith("mask=")) {
      String file = rest.substring(5);
      if (file.isBlank()) {
        throw new gradcam3d.OptionValueException("target '" + text + "' names no mask file");
      }
      return new MaskTarget(k, file, null);
    }
    if (rest.startsWith("box=")) {
      return BoxTarget.of(k, numbers(text, rest.substring(4)));
    }
    if (rest.startsWith("voxel=")) {
      return new VoxelTarget(k, numbers(text, rest.substring(6)));
    }
    throw new gradcam3d.OptionValueException("target '" + text + "' is not understood; use " + FORMS);
  }

  private static long[] numbers(String text, String list) {
    try {
      return Arrays.stream(list.split(",")).mapToLong(s -> Long.parseLong(s.trim())).toArray();
    } catch (NumberFormatException e) {
      throw new gradcam3d.OptionValueException("target '" + text + "' has a coordinate that is not an integer");
    }
  }

  /**
   * The run-time seed for a batch: sample b uses {@code targets.get(b)} (or the only target for
   * every sample). {@code outputShape} is the model output [B, K, *S] or [B, K].
   */
  static GradientEngine.Seed seed(List<Target> targets, long[] outputShape) {
    int batch = (int) outputShape[0];
    int classes = (int) outputShape[1];
    if (targets.size() != 1 && targets.size() != batch) {
      throw new gradcam3d.OptionValueException(targets.size() + " targets given for a batch of " + batch
          + "; give one target for all samples or one per sample");
    }
    FloatTensor weights = FloatTensor.zeros(outputShape);
    FloatTensor gate = FloatTensor.zeros(batch, classes);
    for (int b = 0; b < batch; b++) {
      Target t = targets.size() == 1 ? targets.get(0) : targets.get(b);
      t.check(outputShape);
      t.writeSeed(weights.data(), gate.data(), b, outputShape);
    }
    return new GradientEngine.Seed(weights, gate);
  }

  /** Checks shared by the class-and-region kinds: the class exists; a region needs a segmentation output. */
  static void checkClassRegion(Target t, long[] outputShape) {
    int classes = (int) outputShape[1];
    if (t.classIndex() >= classes) {
      throw new gradcam3d.OptionValueException("target class " + t.classIndex() + " does not exist: the model output "
          + Shapes.format(outputShape) + " has classes 0.." + (classes - 1));
    }
    // on a classifier, CLASS:all is class k's score whatever the prediction (the metrics' fixed targets)
    if (outputShape.length <= 2 && !(t instanceof PredictedClassTarget) && !(t instanceof WholeClassTarget)) {
      throw new gradcam3d.OptionValueException(Setting.TARGET, "target '" + t.spec() + "' names a region, but this "
          + "model classifies (output " + Shapes.format(outputShape) + "); use " + Setting.TARGET.label() + " CLASS or "
          + Setting.TARGET.label() + " argmax");
    }
  }

  /** Spatial voxels of the output grid. */
  static int voxels(long[] outputShape) {
    return (int) Shapes.numel(Arrays.copyOfRange(outputShape, 2, outputShape.length));
  }
}
