package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Request;
import gradcam3d.cam.TargetRegions;
import gradcam3d.graph.Graph;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.Lanes;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.Score;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Scores many perturbed copies of one sample with the target an explanation used: T =
 * sum(seed * score(output)) with the seed fixed from the unperturbed pass (class k inside the
 * region the explanation's target selected; for classifiers the explained class), so a perturbed
 * prediction never moves the region. Forward only, in batches of a fixed size (a short last batch is
 * padded by repeating its last volume). With two or more threads the batches are shared by
 * {@link Lanes} of sessions running side by side, each with its part of the threads: a perturbed
 * volume is small, and two single-threaded runs at once finished 40 demo volumes about 20% sooner
 * than one run on two threads (docs/benchmarks.md). Every volume's score is the same either way:
 * each batch still runs whole through one session.
 */
public final class TargetScorer implements AutoCloseable {
  private final Programs programs;
  private final boolean ownsPrograms;
  private final int batchSize;
  private final FloatTensor seed;
  private Progress progress = Progress.NONE;

  /**
   * The forward programs of a scorer, one per lane, which need no seed: they can be opened, and
   * compiled with their sessions for a volume shape ({@link #prepare}), while the explanation
   * whose target they score is still being computed.
   */
  public static final class Programs implements AutoCloseable {
    private final Lanes<GradientEngine> lanes;

    private Programs(Lanes<GradientEngine> lanes) {
      this.lanes = lanes;
    }

    /** The programs scoring {@code modelOutput} of the model, each lane with its share of the threads. */
    public static Programs open(ModelProto model, int modelOutput, Score score, RuntimeOptions options) {
      GradientEngine.Config cfg = config(model, modelOutput, score);
      return new Programs(Lanes.open(options, o -> new GradientEngine(model, cfg, o)));
    }

    /** The forward-only scoring program's configuration (fast form when the options say so, as by default). */
    public static GradientEngine.Config config(ModelProto model, int modelOutput, Score score) {
      Graph graph = Graph.fromModel(model);
      if (graph.inputs().size() != 1) {
        throw new Gradcam3dException("faithfulness metrics need a model with a single input");
      }
      String output = graph.outputNames().get(modelOutput);
      // the output tensor stands in for a layer: a forward-only program needs one, and prunes it
      return GradientEngine.Config.builder(List.of(LayerSpec.named(output))).modelOutput(modelOutput).score(score)
          .forwardOnly().tensors(false, false).build();
    }

    /** How many sessions score side by side. */
    public int lanes() {
      return lanes.size();
    }

    /**
     * Compiles every lane's program and creates its session for batches of {@code batch} volumes
     * shaped like {@code volume} [1, C, *S], the lanes side by side (otherwise each lane does it
     * at its first batch).
     */
    public void prepare(long[] volume, int batch) {
      long[] shape = volume.clone();
      shape[0] = batch;
      // job i on lane i: every lane's own program
      lanes.ordered(lanes.size(), (engine, i) -> engine.compiled(Map.of(INPUT, shape)), (i, compiled) -> { });
    }

    @Override
    public void close() {
      lanes.close();
    }
  }

  /** The name the volumes are fed under (the model's single input, whatever it is called). */
  private static final String INPUT = "input";

  /**
   * @param sample which sample of the explanation's batch the volumes are copies of
   */
  public TargetScorer(ModelProto model, Request request, Explanation e, int sample, int batchSize,
      RuntimeOptions options) {
    this(model, request.modelOutput(), request.score(), fixedSeed(e, sample), batchSize, options);
  }

  /** Same, with the seed [1, K, *So] given. */
  public TargetScorer(ModelProto model, int modelOutput, Score score, FloatTensor seed, int batchSize,
      RuntimeOptions options) {
    this(Programs.open(model, modelOutput, score, options), true, seed, batchSize);
  }

  /** A scorer on programs opened (and perhaps prepared) before; closing it leaves them open. */
  public TargetScorer(Programs programs, FloatTensor seed, int batchSize) {
    this(programs, false, seed, batchSize);
  }

  private TargetScorer(Programs programs, boolean owns, FloatTensor seed, int batchSize) {
    this.programs = programs;
    this.ownsPrograms = owns;
    this.batchSize = Math.max(1, batchSize);
    this.seed = seed;
  }

  /** Per-voxel, per-class weights [1, K, *So] of the explanation's target for one sample. */
  public static FloatTensor fixedSeed(Explanation e, int sample) {
    return fixedSeed(e, sample, false);
  }

  /**
   * Same; with {@code mean} the region's weights are 1 / (region voxels), so T is the mean score
   * over the region rather than its sum (classifiers: the class score either way).
   */
  public static FloatTensor fixedSeed(Explanation e, int sample, boolean mean) {
    long[] os = e.outputShape().clone();
    os[0] = 1;
    int classes = (int) os[1];
    int voxels = (int) Shapes.numel(Arrays.copyOfRange(os, 2, os.length));
    int k = e.explainedClass(sample);
    if (k < 0) {
      throw new Gradcam3dException("the explained class of sample " + sample + " is unknown");
    }
    float[] w = new float[classes * voxels];
    if (e.region() == null) {
      w[k] = 1f;
    } else {
      System.arraycopy(e.region().data(), sample * voxels, w, k * voxels, voxels);
      if (mean) {
        double n = 0;
        for (int v = 0; v < voxels; v++) {
          n += w[k * voxels + v];
        }
        if (n == 0) {
          throw TargetRegions.emptyRegion(e.targets().get(sample), " in sample " + sample,
              e.predictedVoxels() == null ? null : e.predictedVoxels().data(), sample, classes);
        }
        for (int v = 0; v < voxels; v++) {
          w[k * voxels + v] = (float) (w[k * voxels + v] / n);
        }
      }
    }
    return new FloatTensor(w, os);
  }

  /** Where each scored batch reports its volumes (from any lane's thread; calls are serialised). */
  public TargetScorer withProgress(Progress p) {
    this.progress = p == null ? Progress.NONE : p;
    return this;
  }

  /** The seed [1, K, *So] the volumes are scored with. */
  public FloatTensor seed() {
    return seed;
  }

  /** The target score of each volume [1, C, *S], in order. */
  public double[] scores(List<FloatTensor> volumes) {
    return scores(volumes.size(), volumes::get);
  }

  /**
   * The target scores of {@code count} volumes [1, C, *S], made one batch at a time; with several
   * lanes {@code volume} is called from several threads at once (it must only read shared data).
   */
  public double[] scores(int count, IntFunction<FloatTensor> volume) {
    double[] out = new double[count];
    int n = Math.min(batchSize, count);
    int batches = (count + n - 1) / n;
    // each lane takes the next batch when it is free and writes its own batch's slots of out
    programs.lanes.shared(batches, (engine, b) -> scoreBatch(engine, b, n, count, volume, out));
    return out;
  }

  /** Scores batch {@code b} (volumes b*n ..) through one session. */
  private void scoreBatch(GradientEngine engine, int b, int n, int count, IntFunction<FloatTensor> volume,
      double[] out) {
    int start = b * n;
    List<FloatTensor> chunk = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      chunk.add(volume.apply(Math.min(start + j, count - 1)));
    }
    FloatTensor x = batchOf(chunk);
    FloatTensor seeds = batchOf(Collections.nCopies(n, seed));
    GradientEngine.Result r = engine.run(Map.of(INPUT, x),
        new GradientEngine.Seed(seeds, FloatTensor.zeros(n, seed.dim(1))));
    float[] t = r.targetValues().data();
    int real = 0;
    for (int j = 0; j < n && start + j < out.length; j++) {
      out[start + j] = t[j];
      real++;
    }
    synchronized (this) {
      progress.advance(real);
    }
  }

  /** Tensors [1, ...] joined along axis 0. */
  private static FloatTensor batchOf(List<FloatTensor> ones) {
    long[] s = ones.get(0).shape().clone();
    s[0] = ones.size();
    return FloatTensor.stack(ones).reshape(s);
  }

  @Override
  public void close() {
    if (ownsPrograms) {
      programs.close();
    }
  }
}
