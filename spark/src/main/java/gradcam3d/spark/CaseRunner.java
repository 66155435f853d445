package gradcam3d.spark;

import gradcam3d.Gradcam3dException;
import gradcam3d.output.CompletedResult;
import gradcam3d.output.OutputSettings;
import gradcam3d.output.ResultWriter;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Target;
import gradcam3d.pipeline.BatchRunner;
import gradcam3d.pipeline.CaseInput;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.ExplanationPipeline;
import gradcam3d.pipeline.LabelOverlap;
import gradcam3d.pipeline.LoadedCase;
import gradcam3d.pipeline.Shard;
import gradcam3d.report.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkFiles;

/**
 * Explains cases on an executor. The pipeline (model read, programs compiled and ONNX Runtime
 * sessions built once per input shape) lives in a static per-JVM cache, so an executor compiles
 * once for all the cases it runs, never per row. Explanations run one at a time on one thread of
 * the JVM with a large stack (ONNX Runtime's graph optimisers recurse deeper than the 1 MB of
 * Spark's task threads allow: a native stack overflow kills the executor); concurrent tasks of
 * one executor take turns, a partition at a time (one explanation uses all of --threads). A
 * partition's cases go through the library's batch loop ({@link BatchRunner}), the same as the
 * command line's {@code batch}. Outputs are written locally by the library's writers, then copied
 * under the output URI through Hadoop's FileSystem, summary.json last: its presence marks a
 * complete case, which a re-run skips.
 */
final class CaseRunner {
  private static final Map<List<String>, ExplanationPipeline> PIPELINES = new ConcurrentHashMap<>();
  private static final long EXPLAIN_STACK_BYTES = 512L << 20;
  private static final ExecutorService EXPLAIN = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(null, r, "gradcam3d-explain", EXPLAIN_STACK_BYTES);
    t.setDaemon(true);
    return t;
  });

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> PIPELINES.values().forEach(ExplanationPipeline::close),
        "gradcam3d-spark-pipelines"));
  }

  private CaseRunner() {}

  /** How many pipelines this JVM has built (one per distinct option set). */
  static int pipelinesBuilt() {
    return PIPELINES.size();
  }

  /**
   * The cases of one partition, in order, through the library's batch loop ({@link BatchRunner}:
   * the next case read while this one is explained, a completed case kept, a failing case a row
   * with its error); one outcome per case.
   */
  static List<CaseOutcome> run(List<CaseSpec> cases, JobConfig job) {
    List<CaseOutcome> outcomes = new ArrayList<>();
    JobSink sink = new JobSink(job, host(), outcomes);
    onExplainThread(() -> {
      ExplanationPipeline pipeline;
      try {
        pipeline = pipeline(job);
      } catch (Gradcam3dException e) {
        // options the executor cannot turn into a pipeline (an unreadable model): every case says so
        cases.forEach(c -> sink.failed(c, e.getMessage(), 0));
        return null;
      }
      return new BatchRunner(pipeline).withInternalErrorsAsResults().run(cases, Shard.ALL, sink, Progress.NONE);
    });
    return outcomes;
  }

  /**
   * A partition's cases for the batch loop: inputs copied from their file systems into a local
   * work folder per case, outputs written there by the library's writers and copied under the
   * output URI, summary.json last; an earlier complete result is read back from there.
   */
  private static final class JobSink implements BatchRunner.Sink<CaseSpec, String, Void> {
    private final JobConfig job;
    private final String host;
    private final List<CaseOutcome> outcomes;
    /** Each open case's local work folder (two at a time: one written while the next is explained). */
    private final Map<String, java.nio.file.Path> work = new ConcurrentHashMap<>();

    JobSink(JobConfig job, String host, List<CaseOutcome> outcomes) {
      this.job = job;
      this.host = host;
      this.outcomes = outcomes;
    }

    private Path outDir(CaseSpec c) {
      return new Path(job.outUri(), c.id());
    }

    private FileSystem fs(Path p) throws IOException {
      FileSystem fs = p.getFileSystem(job.hadoop());
      fs.setWriteChecksum(false);
      return fs;
    }

    @Override
    public String earlier(CaseSpec c) {
      try {
        return completedSummary(fs(outDir(c)), outDir(c)).orElse(null);
      } catch (IOException e) {
        throw new Gradcam3dException("cannot read " + outDir(c) + ": " + e);
      }
    }

    @Override
    public BatchRunner.Case open(CaseSpec c) {
      try {
        java.nio.file.Path dir = Files.createTempDirectory("gradcam3d-case-");
        work.put(c.id(), dir);
        java.nio.file.Path in = Files.createDirectory(dir.resolve("in"));
        List<java.nio.file.Path> files = new ArrayList<>();
        for (String uri : c.inputs()) {
          files.add(local(uri, in, job));
        }
        java.nio.file.Path label = c.label() == null ? null : local(c.label(), in, job);
        List<Target> targets = c.mask() == null ? (c.target() == null ? List.of() : List.of(Target.parse(c.target())))
            : List.of(Target.parse(maskTarget(c, local(c.mask(), in, job), job)));
        // reports name the files as the case table does, not as their local copies
        return new BatchRunner.Case(c.id(), new CaseInput(files, label, c.inputs(), c.label()), c.labelProblem(),
            targets);
      } catch (IOException e) {
        throw new Gradcam3dException("cannot copy the inputs of case " + c.id() + ": " + e);
      }
    }

    @Override
    public Void prepare(CaseSpec c, LoadedCase loaded) {
      return null;
    }

    @Override
    public void explained(CaseSpec c, CaseResult r, Void prepared, double seconds) {
      long w0 = System.nanoTime();
      try {
        java.nio.file.Path local = work.get(c.id()).resolve("out").resolve(c.id());
        OutputSettings o = OutputSettings.into(local);
        ResultWriter.write(r, new OutputSettings(local, false, false, job.pictures(), o.render()));
        upload(fs(outDir(c)), local, outDir(c));
      } catch (IOException e) {
        throw new Gradcam3dException("cannot write case " + c.id() + " to " + outDir(c) + ": " + e);
      }
      CaseResult.TargetSummary t = r.targets().get(0);
      LabelOverlap l = r.label();
      double writeMs = ms(w0);
      outcomes.add(CaseOutcome.ok(c, outDir(c).toString(), t.explainedClass(), t.regionVoxels(), t.value(),
          l == null ? null : l.massInside(), l == null ? null : l.labelShare(),
          CaseOutcome.metrics(r.metrics() == null ? null : r.metrics().toJson()), r.pipelineMs(), writeMs,
          seconds * 1000 + writeMs, host));
      deleteTree(work.remove(c.id()));
    }

    @Override
    public void kept(CaseSpec c, String summary, double seconds) {
      Object json = Json.parse(summary);
      outcomes.add(CaseOutcome.skipped(c, outDir(c).toString(), CompletedResult.parse(summary, f -> true).orElseThrow(),
          CaseOutcome.metrics(json instanceof Map<?, ?> m ? m.get("metrics") : null), seconds * 1000, host));
    }

    @Override
    public void failed(CaseSpec c, String error, double seconds) {
      outcomes.add(CaseOutcome.failed(c, outDir(c).toString(), error, seconds * 1000, host));
      deleteTree(work.remove(c.id()));
    }
  }

  private static <T> T onExplainThread(Callable<T> task) {
    try {
      return EXPLAIN.submit(task).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while explaining", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** The JVM's pipeline for these options, built on first use. */
  private static ExplanationPipeline pipeline(JobConfig job) {
    return PIPELINES.computeIfAbsent(job.explanationArgs(),
        a -> CohortJob.Options.parse(withLocalModel(a)).pipeline());
  }

  /** A model shipped with spark-submit --files is in the executor's SparkFiles folder. */
  private static List<String> withLocalModel(List<String> args) {
    List<String> a = new ArrayList<>(args);
    int k = a.indexOf("--model");
    if (k >= 0 && k + 1 < a.size() && !Files.exists(java.nio.file.Path.of(a.get(k + 1)))) {
      try {
        java.nio.file.Path shipped = java.nio.file.Path.of(SparkFiles.get(java.nio.file.Path.of(a.get(k + 1))
            .getFileName().toString()));
        if (Files.exists(shipped)) {
          a.set(k + 1, shipped.toString());
        }
      } catch (RuntimeException e) {
        // no SparkContext here: the path stays as given and fails with its own message
      }
    }
    return a;
  }

  /** A target mask gives the case's target class a region: CLASS:mask=FILE. */
  private static String maskTarget(CaseSpec c, java.nio.file.Path mask, JobConfig job) {
    String cls = c.target();
    if (cls == null) {
      List<Target> t = CohortJob.Options.parse(job.explanationArgs()).explanation.settings(false,
          gradcam3d.cam.Progress.NONE).targets();
      cls = t.isEmpty() ? null : t.get(0).spec();
    }
    if (cls == null || !cls.trim().matches("\\d+")) {
      throw new Gradcam3dException("case " + c.id() + " has a mask: its target (the 'target' column or --target) "
          + "must be a class number, not " + cls);
    }
    return cls.trim() + ":mask=" + mask;
  }

  /** The summary.json text of a complete result in {@code dir}, if there is one. */
  private static Optional<String> completedSummary(FileSystem fs, Path dir) throws IOException {
    Path summary = new Path(dir, "summary.json");
    if (!fs.exists(summary)) {
      return Optional.empty();
    }
    String text;
    try (InputStream s = fs.open(summary)) {
      text = new String(s.readAllBytes(), StandardCharsets.UTF_8);
    }
    Optional<CompletedResult> valid = CompletedResult.parse(text, f -> {
      try {
        return fs.exists(new Path(dir, f));
      } catch (IOException e) {
        return false;
      }
    });
    return valid.isPresent() ? Optional.of(text) : Optional.empty();
  }

  /** A local file for a URI: local paths as they are, remote files copied into {@code dir}. */
  private static java.nio.file.Path local(String uri, java.nio.file.Path dir, JobConfig job) throws IOException {
    Path p = new Path(uri);
    URI u = p.toUri();
    if (u.getScheme() == null || u.getScheme().equals("file")) {
      return java.nio.file.Path.of(u.getPath());
    }
    java.nio.file.Path copy = Files.createTempDirectory(dir, "f").resolve(p.getName());
    p.getFileSystem(job.hadoop()).copyToLocalFile(false, p, new Path(copy.toUri()), true);
    return copy;
  }

  /** The finished local folder under the output URI: a partial earlier attempt replaced, summary.json last. */
  private static void upload(FileSystem fs, java.nio.file.Path local, Path remote) throws IOException {
    if (fs.exists(remote)) {
      fs.delete(remote, true);
    }
    fs.mkdirs(remote);
    List<java.nio.file.Path> files;
    try (Stream<java.nio.file.Path> s = Files.list(local)) {
      files = s.sorted(Comparator.comparing((java.nio.file.Path f) -> f.getFileName().toString().equals("summary.json"))
          .thenComparing(f -> f.getFileName().toString())).toList();
    }
    for (java.nio.file.Path f : files) {
      fs.copyFromLocalFile(false, true, new Path(f.toUri()), new Path(remote, f.getFileName().toString()));
    }
  }

  private static double ms(long t0) {
    return (System.nanoTime() - t0) / 1e6;
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void deleteTree(java.nio.file.Path p) {
    if (p == null) {
      return;
    }
    try (Stream<java.nio.file.Path> walk = Files.walk(p)) {
      walk.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
    } catch (IOException ignored) {
      // a temp folder left behind is harmless
    }
  }
}
