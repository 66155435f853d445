package gradcam3d.cli;

import gradcam3d.cam.CamMethod;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Request;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.metrics.Evaluation;
import gradcam3d.metrics.FaithfulnessCurves;
import gradcam3d.metrics.TargetScorer;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.optimize.FastForm;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.OrtProgram;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import gradcam3d.window.Blend;
import gradcam3d.window.SlidingWindowExplainer;
import gradcam3d.window.WindowGrid;
import gradcam3d.window.WindowInference;
import gradcam3d.window.WindowedExplanation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * gradcam3d bench: ONNX Runtime's plain forward pass against forward + gradient and against the
 * whole explanation, measured in the same process with the same thread count.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Times a model's plain ONNX Runtime forward pass, forward + gradient for a layer, "
        + "and whole explanations, in one process (medians over --repeat runs after a warm-up)."},
    footer = {"", "Example: gradcam3d bench --model monai_unet_96.onnx --input monai_unet_96.input.npy "
        + "--layer model.1.submodule.1.submodule.1.submodule --target 1 --threads 2"})
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "ONNX model.", converter = Converters.FilePath.class)
  Path model;

  @Option(names = "--input", required = true, description = ".npy input tensor (B, C, *S); with --batch, a case "
      + "as 'batch' reads it (.nii, .nii.gz, .nrrd, .mha, .npy, a DICOM folder, ...).",
      converter = Converters.FilePath.class)
  Path input;

  @Option(names = "--layer", required = true, description = "Layer to differentiate.",
      converter = Converters.LayerSpecText.class)
  LayerSpec layer;

  @Option(names = "--target", defaultValue = "1", description = "Target (default: ${DEFAULT-VALUE}).")
  String target;

  @Option(names = "--methods", split = ",", defaultValue = gradcam3d.Defaults.METHOD, converter = Converters.Method.class,
      description = "Methods to time end to end (comma separated; scorecam/ablationcam report per-channel time; "
          + "input-space methods such as lrp and saliency run without the layer).")
  List<CamMethod> methods;

  @Option(names = "--threads", description = "ONNX Runtime threads (default: all cores).",
      converter = Converters.Threads.class)
  Integer threads;

  @Option(names = "--repeat", defaultValue = "5", converter = Converters.Positive.class, description = "Timed runs per measurement (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--batch-size", defaultValue = "" + gradcam3d.Defaults.BATCH_SIZE, converter = Converters.Positive.class, description = "Perturbation batch (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--window", paramLabel = "Z,Y,X",
      description = "Sliding windows: time plain ONNX Runtime sliding-window inference (forward of every window "
          + "and Gaussian blending) against whole-volume explanations through the same windows.")
  String window;

  @Option(names = "--overlap", defaultValue = "" + gradcam3d.Defaults.WINDOW_OVERLAP, description = "Window overlap (default: ${DEFAULT-VALUE}).")
  double overlap;

  @Option(names = "--window-batch", defaultValue = "" + gradcam3d.Defaults.WINDOW_BATCH, description = "Windows per run (default: ${DEFAULT-VALUE}).")
  int windowBatch;

  @Option(names = "--evaluate", description = "Time the deletion/insertion curves against their floor: the distinct "
      + "forward passes times one volume's forward on the fast form, divided by the speed-up of the parallel "
      + "scoring sessions (both measured here), in interleaved rounds.")
  boolean evaluate;

  @Option(names = "--steps", defaultValue = "" + gradcam3d.metrics.FaithfulnessCurves.DEFAULT_STEPS, converter = Converters.Steps.class,
      description = "--evaluate: points per curve (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--random-seeds", defaultValue = "0", converter = Converters.NonNegative.class,
      description = "--evaluate: random orders beside the map's (default: ${DEFAULT-VALUE}).")
  int randomSeeds;

  @Option(names = "--batch", paramLabel = "N", converter = Converters.Positive.class,
      description = "Time a cohort: N copies of --input through batch's runner in one process, (a) compute only "
          + "(read, preprocess, explain; nothing written) against (b) the full batch writing batch's default "
          + "outputs per case (cam.npy, cam.nii.gz, pictures, summary.json, batch.csv) into a temporary folder in "
          + "the tool's cache, deleted afterwards; alternating over --repeat rounds after a warm-up round. Prints "
          + "ms per case, the ratio full / compute only (goal <= 1.3x) and where the time goes (reading, "
          + "explaining, each output format, waiting on the queue). --methods: one such measurement each. "
          + "Default: not given (the single-case measurements).")
  Integer batch;

  @Option(names = "--explain-process", description = "With --window: also time, in the same rounds, a whole "
      + "'gradcam3d explain' process of the same case (a child JVM with this one's options, every default output "
      + "written into a temporary folder in the tool's cache, deleted afterwards): start to exit, against the plain "
      + "sliding-window inference (issue 27.1's goal <= 1.2x), with its peak resident memory.")
  boolean explainProcess;

  @Option(names = "--tile-to", paramLabel = "Z,Y,X",
      description = "Repeat the input periodically along each spatial axis up to this size (a large volume from "
          + "a small one), e.g. 192,192,192 for a 96^3 input tiled twice per axis.")
  String tileTo;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  private static double median(List<Double> v) {
    double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  private interface Run {
    void run();
  }

  private double time(Run r, int warmup, int n) {
    for (int i = 0; i < warmup; i++) {
      r.run();
    }
    List<Double> t = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      r.run();
      t.add((System.nanoTime() - t0) / 1e6);
    }
    return median(t);
  }

  /**
   * Runs every task once per round, after warm-up rounds; per task the median time and the median
   * of its per-round ratio to the first task (ratios of runs seconds apart, not minutes apart).
   */
  private static double[][] timeRounds(List<Run> tasks, int warmup, int rounds) {
    List<List<Double>> times = new ArrayList<>();
    List<List<Double>> ratios = new ArrayList<>();
    List<List<Double>> cpu = new ArrayList<>();
    for (int k = 0; k < tasks.size(); k++) {
      times.add(new ArrayList<>());
      ratios.add(new ArrayList<>());
      cpu.add(new ArrayList<>());
    }
    for (int i = 0; i < warmup + rounds; i++) {
      double[] round = new double[tasks.size()];
      double[] roundCpu = new double[tasks.size()];
      for (int k = 0; k < tasks.size(); k++) {
        long c0 = processCpuNanos();
        long t0 = System.nanoTime();
        tasks.get(k).run();
        round[k] = (System.nanoTime() - t0) / 1e6;
        roundCpu[k] = (processCpuNanos() - c0) / 1e6;
      }
      if (i >= warmup) {
        for (int k = 0; k < tasks.size(); k++) {
          times.get(k).add(round[k]);
          cpu.get(k).add(roundCpu[k]);
          ratios.get(k).add(round[k] / round[0]);
        }
      }
    }
    double[][] r = new double[tasks.size()][];
    for (int k = 0; k < tasks.size(); k++) {
      r[k] = new double[] {median(times.get(k)), median(ratios.get(k)), median(cpu.get(k))};
    }
    return r;
  }

  /** CPU time of the whole process (all threads, ONNX Runtime's included): less load-sensitive. */
  static long processCpuNanos() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (explainProcess && window == null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--explain-process times a whole "
          + "sliding-window explain process next to the sliding-window inference: give --window too");
    }
    if (batch != null) {
      for (CamMethod method : methods) {
        new BatchBench(model, input, layer.toString(), target, threads, batchSize, batch, repeat).run(out, method);
      }
      return 0;
    }
    // bench measures compilation too: programs kept on disk by earlier runs would hide it
    RuntimeOptions opts = (threads == null ? RuntimeOptions.defaults() : new RuntimeOptions(threads))
        .withProgramCache(false);
    ModelProto m = ModelIO.read(model);
    FloatTensor x = Npy.read(input);
    if (tileTo != null) {
      x = tiled(x, gradcam3d.tensor.Shapes.parse(tileTo));
    }
    Map<String, FloatTensor> in = Map.of("input", x);
    out.printf("model %s, input %s, %d threads%n", model.getFileName(), Arrays.toString(x.shape()), opts.threads());
    if (window != null) {
      return windows(out, opts, m, x);
    }
    if (evaluate) {
      return evaluate(out, opts, m, x);
    }
    FastForm.Optimized fast = FastForm.model(m, Map.of(m.getGraph().getInput(0).getName(), x.shape()));
    Target t = Target.parse(target);
    GradientEngine.Config config = GradientEngine.Config.builder(List.of(layer)).tensors(true, false).build();
    double forward;
    // all four side by side, timed in interleaved rounds: ratios stay fair when the load changes
    try (OrtProgram plain = OrtProgram.create(m, opts, "the model");
        OrtProgram plainFast = OrtProgram.create(fast.model(), opts, "the optimized model");
        GradientEngine stock = new GradientEngine(m, config, opts.withFastForm(false));
        GradientEngine engine = new GradientEngine(m, config, opts)) {
      Map<String, Object> feeds = Map.of(plain.inputNames().iterator().next(), x);
      Map<String, long[]> shape = Map.of("input", x.shape());
      GradientEngine.CompileStats stockStats = stock.compiled(shape).stats();
      GradientEngine.CompileStats fastStats = engine.compiled(shape).stats();
      GradientEngine.Seed seed = Target.seed(List.of(t), engine.outputShape(shape));
      double[][] r = timeRounds(List.of(() -> plain.run(feeds, List.of()), () -> plainFast.run(feeds, List.of()),
          () -> stock.run(in, seed), () -> engine.run(in, seed)), 2, repeat);
      forward = r[0][0];
      out.printf("ORT forward (plain model):            %8.1f ms  (cpu %.0f ms)%n", forward, r[0][2]);
      out.printf("ORT forward (gradcam3d optimize):     %8.1f ms  = %.2fx forward  (cpu %.0f ms; %d ConvTranspose "
          + "rewritten)%n", r[1][0], r[1][1], r[1][2], fast.report().convTransposes());
      out.printf("compile (graph build): stock ops %.1f ms (%d nodes), fast form %.1f ms (%d nodes)%n",
          stockStats.compileMs(), stockStats.nodes(), fastStats.compileMs(), fastStats.nodes());
      out.printf("session creation:      stock ops %.1f ms, fast form %.1f ms%n", stockStats.sessionMs(),
          fastStats.sessionMs());
      out.printf("forward + gradient (stock ops):       %8.1f ms  = %.2fx forward  (cpu %.0f ms)%n", r[2][0],
          r[2][1], r[2][2]);
      out.printf("forward + gradient (fast form):       %8.1f ms  = %.2fx forward  (cpu %.0f ms)   peak RSS so far "
          + "%5.0f MB%n", r[3][0], r[3][1], r[3][2], peakRssMb());
    }
    for (CamMethod method : methods) {
      Request req = new Request(method.takesLayers() ? List.of(layer) : List.of(), method,
          List.of(t), 0, gradcam3d.runtime.Score.LOGITS, false, batchSize, gradcam3d.cam.Progress.NONE);
      try (Explainer ex = new Explainer(m, req, opts)) {
        ex.prepare(Map.of("input", x.shape()));
        boolean perturb = method.forwardPassPerChannel();
        Explanation[] last = new Explanation[1];
        double e2e = time(() -> last[0] = ex.explain(in), perturb ? 0 : 2, perturb ? 1 : repeat);
        if (perturb) {
          int channels = (int) last[0].layers().get(0).shape()[1];
          out.printf("explain %-12s (end to end):     %8.1f ms  = %.1f ms per channel (%d channels, batch %d)%n",
              method.name(), e2e, e2e / channels, channels, Math.min(batchSize, channels));
        } else {
          out.printf("explain %-12s (end to end):     %8.1f ms  = %.2fx forward%n", method.name(), e2e,
              e2e / forward);
        }
      }
    }
    out.printf("peak resident memory (process):     %8.0f MB%n", peakRssMb());
    return 0;
  }

  /**
   * Plain sliding-window inference against sliding-window explanations, same windows and threads,
   * timed in interleaved rounds (the ratios stay fair when the machine's load changes).
   */
  private int windows(PrintWriter out, RuntimeOptions opts, ModelProto m, FloatTensor x) {
    if (!explainProcess) {
      return windows(out, opts, m, x, null, null);
    }
    try (BenchFolder work = BenchFolder.create(PROCESS_FOLDER_PREFIX)) {
      // the process reads the volume timed here: a tiled input is written as a file for it
      Path processInput = input;
      if (tileTo != null) {
        processInput = work.path().resolve("input.npy");
        Npy.write(x, processInput);
      }
      int status = windows(out, opts, m, x, work, processInput);
      out.printf("the explain processes wrote into %s (deleted)%n", work.path());
      return status;
    }
  }

  /** The temporary folders' names in the cache for --explain-process: {@code bench-explain-PID-RANDOM}. */
  static final String PROCESS_FOLDER_PREFIX = "bench-explain-";

  /** The explain command's arguments for the case this bench times (--out is the process's own). */
  private List<String> explainArgs(Path processInput, CamMethod method) {
    List<String> a = new ArrayList<>(List.of("--model", model.toString(), "--input", processInput.toString(),
        "--layer", layer.toString(), "--target", target, "--method", method.name(), "--window", window, "--overlap",
        Double.toString(overlap), "--window-batch", Integer.toString(windowBatch), "--blend", "gaussian",
        "--pad-value", "0"));
    if (threads != null) {
      a.addAll(List.of("--threads", threads.toString()));
    }
    return a;
  }

  private int windows(PrintWriter out, RuntimeOptions opts, ModelProto m, FloatTensor x, BenchFolder process,
      Path processInput) {
    long[] win = gradcam3d.tensor.Shapes.parse(window);
    String inputName = m.getGraph().getInput(0).getName();
    FastForm.Optimized fast = FastForm.model(m, Map.of(inputName, gradcam3d.tensor.Shapes.concat(
        new long[] {windowBatch, x.dim(1)}, win)));
    WindowGrid grid = WindowGrid.of(Arrays.copyOfRange(x.shape(), 2, x.rank()), win, overlap);
    Target t = Target.parse(target);
    for (CamMethod method : methods) {
      Request req = new Request(List.of(layer), method, List.of(t), 0,
          gradcam3d.runtime.Score.LOGITS, false, batchSize, gradcam3d.cam.Progress.NONE);
      SlidingWindowExplainer.Settings settings = SlidingWindowExplainer.Settings.of(win).withOverlap(overlap)
          .withWindowBatch(windowBatch);
      try (OrtProgram plain = OrtProgram.create(m, opts, "the model");
          OrtProgram plainFast = OrtProgram.create(fast.model(), opts, "the optimized model");
          SlidingWindowExplainer sw = new SlidingWindowExplainer(m, req, settings, opts)) {
        String output = plain.outputNames().iterator().next();
        // the baselines give their sessions' working memory back after their last window, as the
        // explanation's lanes do: the process holds one program's working memory at a time
        WindowInference.Forward f = (w, last) -> (FloatTensor) plain.run(Map.of(inputName, w), List.of(output), last)
            .get(output);
        WindowInference.Forward ff = (w, last) -> (FloatTensor) plainFast.run(Map.of(inputName, w), List.of(output),
            last).get(output);
        // only the last run's counts and timings are kept: holding its volumes through the next
        // round would add their size to the peak memory measured
        WindowedExplanation.Timings[] last = new WindowedExplanation.Timings[1];
        String[] pass2From = new String[1];
        int[] windowsRun = new int[2];
        List<Run> tasks = new ArrayList<>(List.of(
            () -> WindowInference.predict(x, win, overlap, Blend.GAUSSIAN, windowBatch, 0f, f),
            () -> WindowInference.predict(x, win, overlap, Blend.GAUSSIAN, windowBatch, 0f, ff),
            () -> {
              WindowedExplanation w = sw.explain(x, t);
              last[0] = w.timings();
              pass2From[0] = w.pass2From();
              windowsRun[0] = w.windowsRun();
              windowsRun[1] = w.windowsSkipped();
            }));
        List<ExplainProcess.Run> processRuns = new ArrayList<>();
        if (process != null) {
          ExplainProcess child = new ExplainProcess(explainArgs(processInput, method), process.path());
          tasks.add(() -> processRuns.add(child.run()));
        }
        double[][] r = timeRounds(tasks, 1, repeat);
        out.printf("sliding-window inference (plain model, %d windows %s, blending): %8.1f ms  (cpu %.0f ms)%n",
            grid.size(), Arrays.toString(grid.counts()), r[0][0], r[0][2]);
        out.printf("sliding-window inference (gradcam3d optimize model):           %8.1f ms = %.2fx  (cpu %.0f ms)%n",
            r[1][0], r[1][1], r[1][2]);
        out.printf("explain %-12s through windows:  %8.1f ms  = %.2fx sliding-window inference, %.2fx the "
            + "optimized model's  (cpu %.0f ms; %d windows run, %d skipped; medians of %d interleaved rounds)%n",
            method.name(), r[2][0], r[2][1], r[2][1] / r[1][1], r[2][2], windowsRun[0], windowsRun[1], repeat);
        WindowedExplanation.Timings p = last[0];
        out.printf("  phases of the last run: predict %.0f ms, forward+backward+cam %.0f ms, sum %.0f ms, normalise "
            + "%.0f ms (pass 2 from the %s); peak RSS so far %5.0f MB%n", p.predictMs(), p.explainMs(), p.stitchMs(),
            p.finishMs(), pass2From[0], peakRssMb());
        if (process != null) {
          // the warm-up round's process is not counted (its page cache and class-data archive were cold)
          List<ExplainProcess.Run> timed = processRuns.subList(1, processRuns.size());
          out.printf("whole explain process (%s, all default outputs): %8.1f ms  = %.2fx sliding-window inference "
              + "(goal <= 1.2x); inside it %.0f ms to the last output, writing %.0f ms; peak RSS %.0f MB (medians of "
              + "%d interleaved rounds; max RSS %.0f MB)%n", method.name(), r[3][0], r[3][1],
              median(timed.stream().map(ExplainProcess.Run::totalMs).toList()),
              median(timed.stream().map(ExplainProcess.Run::writeMs).toList()),
              median(timed.stream().map(ExplainProcess.Run::peakRssMb).toList()), repeat,
              timed.stream().mapToDouble(ExplainProcess.Run::peakRssMb).max().orElse(-1));
        }
      }
    }
    out.printf("peak resident memory (process):     %8.0f MB%n", peakRssMb());
    return 0;
  }

  /**
   * The curves against their floor, in one process: the explanation once (for the map and the
   * target), then in interleaved rounds (a) the floor: as many forward passes of one volume as the
   * curves need distinct volumes, through the same scoring sessions side by side, and (b) the
   * curves themselves (baseline, orders, perturbed copies, scores). The speed-up of the sessions is
   * one volume's forward on one session with every thread against (a)'s time per volume.
   */
  private int evaluate(PrintWriter out, RuntimeOptions opts, ModelProto m, FloatTensor x) {
    Target t = Target.parse(target);
    CamMethod method = methods.get(0);
    Request req = new Request(List.of(layer), method, List.of(t), 0,
        gradcam3d.runtime.Score.LOGITS, false, batchSize, gradcam3d.cam.Progress.NONE);
    Evaluation.Settings settings = Evaluation.Settings.defaults().withSteps(steps).withRandomSeeds(randomSeeds)
        .withBatchSize(batchSize);
    Map<String, FloatTensor> in = Map.of("input", x);
    Explanation e;
    double explainMs;
    try (Explainer ex = new Explainer(m, req, opts)) {
      ex.prepare(Map.of("input", x.shape()));
      Explanation[] last = new Explanation[1];
      explainMs = time(() -> last[0] = ex.explain(in), 1, repeat);
      e = last[0];
    }
    long[] one = x.shape().clone();
    one[0] = 1;
    FloatTensor sample = x.slice0(0).reshape(one);
    float[] map = e.cam().slice0(0).data();
    int voxels = map.length;
    double share = regionShare(e);
    int[] counts = settings.stepScale().counts(steps, share, voxels);
    int passes = FaithfulnessCurves.passes(counts, voxels, 1 + randomSeeds);
    gradcam3d.runtime.Score score = settings.scoring(req);
    GradientEngine.Config cfg = TargetScorer.Programs.config(m, 0, score);
    FloatTensor seed = TargetScorer.fixedSeed(e, 0, true);
    try (GradientEngine single = new GradientEngine(m, cfg, opts);
        TargetScorer.Programs programs = TargetScorer.Programs.open(m, 0, score, opts);
        TargetScorer scorer = new TargetScorer(programs, seed, batchSize)) {
      programs.prepare(sample.shape(), batchSize);
      GradientEngine.Seed oneSeed = new GradientEngine.Seed(seed, FloatTensor.zeros(1, seed.dim(1)));
      Map<String, FloatTensor> oneIn = Map.of("input", sample);
      // the floor first: each round's curves are compared with the same round's floor
      double[][] r = timeRounds(List.of(
          () -> scorer.scores(passes, j -> sample),
          () -> FaithfulnessCurves.measure(scorer, sample, map, settings.baseline(), null, settings.stepScale(), steps,
              share, randomSeeds, settings.curveScore()),
          () -> single.run(oneIn, oneSeed)), 2, repeat);
      double floorMs = r[0][0];
      double oneMs = r[2][0];
      double speedup = passes * oneMs / floorMs;
      out.printf("explain %-12s (end to end):     %8.1f ms%n", method.name(), explainMs);
      out.printf("one volume's forward, fast form, one session with %d threads: %8.1f ms%n", opts.threads(), oneMs);
      out.printf("floor: %d distinct forward passes through %d scoring sessions side by side (batch %d): %8.1f ms "
          + "(speed-up %.2fx over one session; %.1f ms per pass)%n", passes, programs.lanes(), batchSize, floorMs,
          speedup, floorMs / passes);
      out.printf("curves: deletion + insertion, %d %s steps, %d random orders, %s baseline, %s score:  %8.1f ms = "
          + "%.2fx the floor (median of the rounds' ratios; goal <= 1.15x) = %.1fx one explanation%n", steps,
          settings.stepScale().label(), randomSeeds, settings.baseline().label(), settings.curveScore().label(),
          r[1][0], r[1][1], r[1][0] / explainMs);
    }
    out.printf("peak resident memory (process):     %8.0f MB%n", peakRssMb());
    return 0;
  }

  /** The target region's share of the output grid (NaN for classifiers). */
  private static double regionShare(Explanation e) {
    if (e.region() == null) {
      return Double.NaN;
    }
    float[] r = e.region().slice0(0).data();
    double n = 0;
    for (float v : r) {
      n += v != 0 ? 1 : 0;
    }
    return n / r.length;
  }

  /** x [B, C, *S] repeated periodically along each spatial axis to {@code size}. */
  static FloatTensor tiled(FloatTensor x, long[] size) {
    long[] s = x.shape();
    long[] shape = gradcam3d.tensor.Shapes.concat(new long[] {s[0], s[1]}, size);
    long[] str = gradcam3d.tensor.Shapes.strides(s);
    float[] d = new float[(int) gradcam3d.tensor.Shapes.numel(shape)];
    long[] c = new long[shape.length];
    for (int i = 0; i < d.length; i++) {
      long rest = i;
      long src = 0;
      for (int a = shape.length - 1; a >= 0; a--) {
        c[a] = rest % shape[a];
        rest /= shape[a];
        src += (c[a] % s[a]) * str[a];
      }
      d[i] = x.data()[(int) src];
    }
    return new FloatTensor(d, shape);
  }

  /** VmHWM of this process (Linux), in MB; -1 elsewhere. */
  static double peakRssMb() {
    return peakRssMb(Path.of("/proc/self/status"));
  }

  /** VmHWM in a /proc status file (Linux), in MB; -1 when it cannot be read (elsewhere, or the process is gone). */
  static double peakRssMb(Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
