package gradcam3d.cli;

import gradcam3d.Gradcam3dException;
import gradcam3d.ShutdownCleanup;
import gradcam3d.cam.CamMethod;
import gradcam3d.output.CompletedResult;
import gradcam3d.output.ResultWriter;
import gradcam3d.pipeline.BatchRunner;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.ExplanationPipeline;
import gradcam3d.pipeline.LoadedCase;
import gradcam3d.pipeline.Settings;
import gradcam3d.pipeline.Shard;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * {@code gradcam3d bench --batch N}: a cohort at the speed of compute? N copies of one case, in
 * one process with one pipeline (the program compiled once), run through the batch's runner (a)
 * computing only (read, preprocess, explain; nothing written) and (b) as {@code batch} runs them,
 * every case written with the default outputs into a temporary folder in the tool's cache that is
 * deleted afterwards. The two alternate over the rounds (which goes first alternates too), and the
 * ratio full / compute-only is the median of the rounds' ratios; the phases say where the rest goes.
 */
final class BatchBench {
  /** The temporary folders' names in the cache: {@code bench-batch-PID-RANDOM}. */
  static final String FOLDER_PREFIX = "bench-batch-";

  /** What the issue asks of a cohort: the full batch at most this times compute-only per case. */
  static final double GOAL = 1.3;

  private final Path model;
  private final Path input;
  private final String layer;
  private final String target;
  private final Integer threads;
  private final int batchSize;
  private final int copies;
  private final int rounds;

  BatchBench(Path model, Path input, String layer, String target, Integer threads, int batchSize, int copies,
      int rounds) {
    this.model = model;
    this.input = input;
    this.layer = layer;
    this.target = target;
    this.threads = threads;
    this.batchSize = batchSize;
    this.copies = copies;
    this.rounds = rounds;
  }

  /** One measurement: wall and process CPU seconds of a whole batch, and where its time went. */
  private record Measured(double seconds, double cpuSeconds, BatchRunner.Timings phases,
      Map<String, double[]> writers, java.util.SortedSet<String> files) {}

  int run(PrintWriter out, CamMethod method) throws IOException {
    try (BenchFolder work = BenchFolder.create(FOLDER_PREFIX)) {
      return measure(out, method, work.path());
    }
  }

  private int measure(PrintWriter out, CamMethod method, Path work) throws IOException {
    BatchCommand batch = batchInto(work, method);
    Settings settings = batch.settings(gradcam3d.cam.Progress.NONE);
    List<BatchRunner.Case> cases = batch.listedCases();
    List<Measured> compute = new ArrayList<>();
    List<Measured> full = new ArrayList<>();
    double firstMs;
    try (ExplanationPipeline pipeline = new ExplanationPipeline(settings)) {
      // the warm-up round compiles the program (its first case) and warms the JIT; not counted
      long t0 = System.nanoTime();
      computeOnly(pipeline, cases);
      firstMs = (System.nanoTime() - t0) / 1e6 / cases.size();
      full(pipeline, settings, method, work.resolve("warm-up"));
      for (int r = 0; r < rounds; r++) {
        // which goes first alternates: a drift in the machine's load favours neither
        if (r % 2 == 0) {
          compute.add(computeOnly(pipeline, cases));
          full.add(full(pipeline, settings, method, work.resolve("round-" + r)));
        } else {
          full.add(full(pipeline, settings, method, work.resolve("round-" + r)));
          compute.add(computeOnly(pipeline, cases));
        }
      }
    }
    report(out, method, settings, compute, full, firstMs);
    out.printf("the full batches wrote %s per case and batch.csv into %s (deleted)%n",
        String.join(", ", full.get(full.size() - 1).files().stream().filter(f -> !f.equals("batch.csv")).toList()),
        work);
    return 0;
  }

  /**
   * A batch command of these settings writing into {@code out}: parsed from the options
   * {@code gradcam3d batch} would be given, so its defaults (outputs, pictures, layout) are the
   * batch's own.
   */
  private BatchCommand batchInto(Path out, CamMethod method) {
    List<String> args = new ArrayList<>(List.of("--model", model.toString(), "--method", method.name(), "--target",
        target, "--batch-size", Integer.toString(batchSize), "--out", out.toString(), "--quiet"));
    if (method.takesLayers()) {
      args.addAll(List.of("--layer", layer));
    }
    if (threads != null) {
      args.addAll(List.of("--threads", Integer.toString(threads)));
    }
    for (int i = 0; i < copies; i++) {
      args.addAll(List.of("--input", input.toString()));
    }
    BatchCommand batch = new BatchCommand();
    new CommandLine(batch).parseArgs(args.toArray(String[]::new));
    return batch;
  }

  /** (a) Every case read, preprocessed and explained by the batch's runner; nothing written. */
  private Measured computeOnly(ExplanationPipeline pipeline, List<BatchRunner.Case> cases) {
    BatchRunner.Timings phases = new BatchRunner.Timings();
    List<String> errors = new ArrayList<>();
    BatchRunner.Sink<BatchRunner.Case, Object, Object> nothing = new BatchRunner.Sink<>() {
      @Override
      public Object earlier(BatchRunner.Case c) {
        return null;
      }

      @Override
      public BatchRunner.Case open(BatchRunner.Case c) {
        return c;
      }

      @Override
      public Object prepare(BatchRunner.Case c, LoadedCase loaded) {
        return null;
      }

      @Override
      public void explained(BatchRunner.Case c, CaseResult r, Object prepared, double seconds) {}

      @Override
      public void kept(BatchRunner.Case c, Object earlier, double seconds) {}

      @Override
      public void failed(BatchRunner.Case c, String error, double seconds) {
        errors.add(error);
      }
    };
    long c0 = BenchCommand.processCpuNanos();
    long t0 = System.nanoTime();
    new BatchRunner(pipeline).timedInto(phases).run(cases, Shard.ALL, nothing, gradcam3d.cam.Progress.NONE);
    Measured m = new Measured((System.nanoTime() - t0) / 1e9, (BenchCommand.processCpuNanos() - c0) / 1e9, phases,
        Map.of(), new java.util.TreeSet<>());
    if (!errors.isEmpty()) {
      throw new Gradcam3dException("the case failed: " + errors.get(0));
    }
    return m;
  }

  /**
   * (b) The batch as {@code gradcam3d batch} runs it, into {@code out}, which is deleted afterwards
   * (not timed).
   */
  private Measured full(ExplanationPipeline pipeline, Settings settings, CamMethod method, Path out)
      throws IOException {
    BatchCommand batch = batchInto(out, method);
    BatchRunner.Timings phases = new BatchRunner.Timings();
    // written on the writing thread, read here after the run (which has waited for it)
    Map<String, double[]> writers = new LinkedHashMap<>();
    long c0 = BenchCommand.processCpuNanos();
    long t0 = System.nanoTime();
    BatchRunner.Tally t = batch.runWith(new BatchRunner(pipeline).timedInto(phases), settings,
        sink -> new Watched(sink, writers));
    Measured m = new Measured((System.nanoTime() - t0) / 1e9, (BenchCommand.processCpuNanos() - c0) / 1e9, phases,
        writers, fileNames(out));
    ShutdownCleanup.deleteTree(out);
    if (t.failed() > 0) {
      throw new Gradcam3dException(t.failed() + " of " + t.cases() + " cases failed (the errors are above)");
    }
    return m;
  }

  /** The names of the files under {@code dir} (the cases' files once each). */
  private static java.util.SortedSet<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
          .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }
  }

  /** The batch's own sink, its writers' times summed per format after each case. */
  private record Watched(BatchRunner.Sink<Integer, CompletedResult, ResultWriter.Prepared> sink,
      Map<String, double[]> writers) implements BatchRunner.Sink<Integer, CompletedResult, ResultWriter.Prepared> {
    @Override
    public CompletedResult earlier(Integer c) {
      return sink.earlier(c);
    }

    @Override
    public BatchRunner.Case open(Integer c) {
      return sink.open(c);
    }

    @Override
    public ResultWriter.Prepared prepare(Integer c, LoadedCase loaded) {
      return sink.prepare(c, loaded);
    }

    @Override
    public void explained(Integer c, CaseResult r, ResultWriter.Prepared prepared, double seconds) {
      sink.explained(c, r, prepared, seconds);
      prepared.millis().forEach((k, v) -> {
        double[] sum = writers.computeIfAbsent(k, x -> new double[2]);
        sum[0] += v[0];
        sum[1] += v[1];
      });
    }

    @Override
    public void kept(Integer c, CompletedResult earlier, double seconds) {
      sink.kept(c, earlier, seconds);
    }

    @Override
    public void failed(Integer c, String error, double seconds) {
      sink.failed(c, error, seconds);
    }
  }

  private void report(PrintWriter out, CamMethod method, Settings settings, List<Measured> compute,
      List<Measured> full, double firstMs) {
    int n = copies;
    List<Double> ratios = IntStream.range(0, rounds).mapToObj(r -> full.get(r).seconds() / compute.get(r).seconds())
        .toList();
    double computeMs = median(compute.stream().map(m -> m.seconds() * 1e3 / n).toList());
    double fullMs = median(full.stream().map(m -> m.seconds() * 1e3 / n).toList());
    double ratio = median(ratios);
    out.printf("batch of %d copies of %s: %s%s, target %s, %d threads; %d rounds after a warm-up round (its "
        + "compute-only batch, the program compiled on its first case: %.1f ms per case)%n", n, input.getFileName(),
        method.name(), method.takesLayers() ? " at " + layer : "", target, settings.threads(), rounds, firstMs);
    out.printf("compute only (read + preprocess + explain, nothing written): %8.1f ms per case  (cpu %.0f ms)%n",
        computeMs, median(compute.stream().map(m -> m.cpuSeconds() * 1e3 / n).toList()));
    out.printf("full batch (batch's default outputs, a temporary folder): %8.1f ms per case  (cpu %.0f ms) = %.2fx "
        + "compute only (median of the rounds' ratios %s; goal <= %.1fx)%n", fullMs,
        median(full.stream().map(m -> m.cpuSeconds() * 1e3 / n).toList()), ratio, ratios.stream()
            .map(r -> String.format(java.util.Locale.ROOT, "%.2f", r)).toList(), GOAL);
    out.printf("where the time goes, ms per case (means over the rounds):  compute only  full batch%n");
    double cases = (double) n * rounds;
    for (BatchRunner.Phase p : BatchRunner.Phase.values()) {
      out.printf("  %-52s %8.1f %10.1f%n", PHASES.get(p), compute.stream().mapToDouble(m -> m.phases().seconds(p))
          .sum() * 1e3 / cases, full.stream().mapToDouble(m -> m.phases().seconds(p)).sum() * 1e3 / cases);
    }
    Map<String, double[]> writers = new LinkedHashMap<>();
    for (Measured m : full) {
      m.writers().forEach((k, v) -> {
        double[] sum = writers.computeIfAbsent(k, x -> new double[2]);
        sum[0] += v[0];
        sum[1] += v[1];
      });
    }
    out.printf("  writing, per format (ms per case):  on the writing thread  own threads (overlapping)%n");
    writers.forEach((k, v) -> {
      if (v[0] / cases >= 0.05 || v[1] / cases >= 0.05) {
        out.printf("    %-32s %21.1f %12.1f%n", k, v[0] / cases, v[1] / cases);
      }
    });
  }

  private static final Map<BatchRunner.Phase, String> PHASES = Map.of(
      BatchRunner.Phase.OPENING, "batch thread: opening (read-ahead started)",
      BatchRunner.Phase.READING, "read-ahead thread: reading (overlapped)",
      BatchRunner.Phase.LOADING, "batch thread: loading (wait for read, decode, normalise)",
      BatchRunner.Phase.PREPARING, "batch thread: writers' work on the input started",
      BatchRunner.Phase.EXPLAINING, "batch thread: explaining",
      BatchRunner.Phase.WAITING, "batch thread: waiting on the queue (two cases held)",
      BatchRunner.Phase.WRITING, "writing thread: writing a case (overlapped)",
      BatchRunner.Phase.LAST_WRITES, "batch thread: waiting for the last writes");

  private static double median(List<Double> v) {
    double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }
}
